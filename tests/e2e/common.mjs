// What the end-to-end files share: the harness's environment, form filling, the notification log,
// the keychain, fake servers of their own, and the app's process on a file's own database.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { waitFor } from "./webdriver.mjs";

/** A variable tests/e2e/run.sh sets; a clear error when the file is run without it. */
export function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this test through tests/e2e/run.sh`);
  return v;
}

export const tid = (id) => `[data-testid="${id}"]`;

export async function fill(s, id, value) {
  const el = await s.waitForElement(tid(id));
  await el.clear();
  await el.sendKeys(value);
  return el;
}

/**
 * Imports the price list at `csv` as `name` through the Price lists screen (path, name, preview,
 * import); returns the import's summary once shown.
 */
export async function importPriceList(s, csv, name) {
  await (await s.waitForElement(tid("nav-pricelists"))).click();
  await fill(s, "pricelist-path", csv);
  await fill(s, "pricelist-name", name);
  await (await s.waitForElement(tid("pricelist-preview"))).click();
  await s.waitForElement(tid("pricelist-preview-table"), 20_000);
  await (await s.waitForElement(tid("pricelist-import"))).click();
  return s.waitForElement(tid("import-summary"), 60_000);
}

/**
 * Clicks an inbox row and waits until the cursor is on it, so that the key pressed next acts on
 * that row: under load a click can land while the list is still settling after the last decision.
 */
export async function cursorOn(row, what) {
  await row.click();
  await waitFor(async () => (await row.attribute("data-cursor")) === "true", {
    timeout: 10_000,
    message: `the cursor on ${what} after a click`,
  });
}

/**
 * Replaces a field's text by deleting it key by key (End, then Backspace) and typing the value, so
 * that React sees every change: a bare WebDriver clear() of a field holding a value is undone by
 * the next render.
 */
export async function retype(s, id, value) {
  const el = await s.waitForElement(tid(id));
  const old = String(await el.property("value"));
  await el.click();
  await el.sendKeys(`\uE010${"\uE003".repeat(old.length + 1)}${value}`);
  await waitFor(async () => (await el.property("value")) === value, { timeout: 5_000, message: `${id} to hold ${value}` });
  return el;
}

export async function pick(s, selectId, value) {
  const option = `${tid(selectId)} option[value="${value}"]`;
  await s.waitForElement(option);
  await centre(s, tid(selectId));
  await (await s.find(option)).click();
}

/**
 * Scrolls the element to the middle of the window. Toasts stack in the bottom right corner, and an
 * element a click only scrolls into view can sit under one there ("element click intercepted").
 */
export async function centre(s, selector) {
  await s.executeScript("document.querySelector(arguments[0])?.scrollIntoView({ block: 'center' });", [selector]);
}

/** Waits for the element, brings it to the middle of the window (see `centre`) and clicks it. */
export async function clickAt(s, selector, timeout) {
  await s.waitForElement(selector, timeout);
  await centre(s, selector);
  await (await s.find(selector)).click();
}

/** dbus-monitor's Notify calls in `log` (a message starts on a line that is not indented). */
export function notifyCalls(log) {
  const text = existsSync(log) ? readFileSync(log, "utf8") : "";
  const messages = [];
  for (const line of text.split("\n")) {
    if (/^\S/.test(line)) messages.push(line);
    else if (messages.length) messages[messages.length - 1] += "\n" + line;
  }
  return messages.filter((m) => /member=Notify\b/.test(m.split("\n")[0]));
}

/**
 * How many times `needle` occurs in `file`'s bytes; 0 when the file does not exist. Read here, not
 * with grep: a secret given to a child process would be in its argument list, which any local user
 * can read.
 */
export function grepCount(file, needle) {
  if (!existsSync(file)) return 0;
  const bytes = readFileSync(file);
  const pattern = Buffer.from(needle, "utf8");
  let count = 0;
  for (let at = bytes.indexOf(pattern); at !== -1; at = bytes.indexOf(pattern, at + pattern.length)) count++;
  return count;
}

/**
 * Registers a key, password or token a test uses (types, generates or reads back) and returns it.
 * Every registered secret is looked for after the run (tests/e2e/secrets-scan.mjs): in the databases,
 * logs, diagnostic bundles, exports and process argument lists. `name` says which secret it is, since
 * a finding names it and never shows the value.
 */
export function secret(name, value) {
  if (!value) throw new Error(`the secret ${name} is empty`);
  appendFileSync(env("E2E_SECRETS"), JSON.stringify({ name, value }) + "\n", { mode: 0o600 });
  return value;
}

/** One query on the app's database `db` through the sqlite3 shell, its output trimmed. */
export function sqlite(db, query) {
  return execFileSync("sqlite3", [db, query], { encoding: "utf8", timeout: 10_000 }).trim();
}

/**
 * Waits until the outbox of database `db` holds nothing to send (every call delivered or parked):
 * after that no further call of those rows can reach a marketplace.
 */
export function outboxDrained(db, timeout = 60_000) {
  return waitFor(() => sqlite(db, "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'in_flight')") === "0", {
    timeout,
    message: "the outbox to have nothing left to send",
  });
}

/**
 * The app's keychain entry for an account's secret in database `db`: entries are named
 * `<database id>/<account id>/<field>` (keyring stores that name as "username"), so two databases
 * never share keys.
 */
export function keychain(db, accountId, field) {
  const databaseId = sqlite(db, "SELECT id FROM database_identity");
  if (!/^[0-9a-f]{32}$/.test(databaseId)) throw new Error(`no database id in ${db}: ${JSON.stringify(databaseId)}`);
  const name = `${databaseId}/${accountId}/${field}`;
  return execFileSync("secret-tool", ["lookup", "service", "ordertray", "username", name], {
    encoding: "utf8",
    timeout: 10_000,
  });
}

/** A database and its write-ahead files, so that a file's app starts from nothing. */
export function removeDatabase(db) {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(db + suffix, { force: true });
}

/**
 * The first account turns on start at login; a file whose app adds one puts the login item back as
 * it found it, since the next file expects to see that happen itself. Returns the restore step.
 */
export function keepAutostart(home) {
  const file = join(home, ".config", "autostart", "Ordertray.desktop");
  const existed = existsSync(file);
  return () => {
    if (!existed) rmSync(file, { force: true });
  };
}

/**
 * Settings → Order intake: turns the intake on at 127.0.0.1:`port` and waits until it says it
 * listens there (or fails with the error it shows).
 */
export async function turnIntakeOn(s, port) {
  await (await s.waitForElement(tid("nav-settings"))).click();
  const state = await s.waitForElement(tid("intake-state"), 30_000);
  assert.equal(await state.attribute("data-listening"), "", "the intake is off at first");
  await (await s.waitForElement(tid("intake-enabled"))).click();
  await pick(s, "intake-bind", "127.0.0.1");
  await retype(s, "intake-port", String(port));
  await (await s.waitForElement(tid("intake-save"))).click();
  const listening = `127.0.0.1:${port}`;
  await waitFor(async () => (await (await s.find(tid("intake-state"))).attribute("data-listening")) === listening, {
    timeout: 20_000,
    message: `the intake to say it listens on ${listening}`,
  }).catch(async (e) => {
    const errors = await s.findAll(tid("intake-error"));
    throw new Error(`${e.message}${errors.length ? `: ${await errors[0].text()}` : ""}`);
  });
  assert.match(await (await s.find(tid("intake-state"))).text(), new RegExp(listening.replaceAll(".", "\\.")));
  assert.equal((await s.findAll(tid("intake-error"))).length, 0);
}

/** What the X clipboard holds (the app's Copy buttons write it). */
export function clipboard() {
  return execFileSync("xclip", ["-o", "-selection", "clipboard"], { encoding: "utf8" }).trim();
}

/** A port nobody listens on now (the OS's pick, released at once). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Connects an Ozon account to `url` (a fake of the file's own) from the Welcome screen's "Connect an
 * account": name, Client-Id, Api-Key, poll interval in seconds, the fake's address; waits for the
 * account's row.
 */
export async function connectOzon(s, { name, clientId, apiKey, interval, url }) {
  await s.waitForElement(tid("welcome"), 45_000);
  await (await s.waitForElement(tid("add-account"))).click();
  await fill(s, "account-name", name);
  await fill(s, "account-client-id", clientId);
  await fill(s, "account-api-key", apiKey);
  await retype(s, "account-interval", String(interval));
  await (await s.waitForElement(tid("account-advanced"))).click();
  await fill(s, "account-base-url", url);
  await (await s.waitForElement(tid("account-save"))).click();
  await s.waitForElement(tid("account-row"), 30_000);
}

/**
 * Starts a fake marketplace server; `url` resolves with its base URL once it says it listens.
 * `secrets` ({password, apiKey}) reach it through its environment, never its argument list.
 */
export function startFake(bin, args, name, secrets = {}) {
  const env = { ...process.env };
  if (secrets.password) env.ORDERTRAY_FAKE_PASSWORD = secrets.password;
  if (secrets.apiKey) env.ORDERTRAY_FAKE_API_KEY = secrets.apiKey;
  if (secrets.consumerKey) env.ORDERTRAY_FAKE_CONSUMER_KEY = secrets.consumerKey;
  if (secrets.consumerSecret) env.ORDERTRAY_FAKE_CONSUMER_SECRET = secrets.consumerSecret;
  // Other fakes name their own variables.
  Object.assign(env, secrets.env ?? {});
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"], env });
  const url = new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the fake ${name} did not start: ${out}`)), 30_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/[0-9.:]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => reject(new Error(`the fake ${name} exited with ${code}: ${out}`)));
  });
  return { child, url };
}

/** Whether a process runs the app on `db`. */
export function appRunning(db) {
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(db)) return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

/** Whether any process runs the app's binary (E2E_APP), whatever its database. */
function anyAppRunning() {
  const app = process.env.E2E_APP;
  if (!app) return false;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/exe`) === app) return true;
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return false;
}

/**
 * After a file's app: it is single-instance, so the next file's app must not find this one still
 * running (or still leaving the session bus: a start then forwards its arguments to an instance that
 * no longer answers, and fails); its popups stay on screen until acted on, and the next file clicks
 * popups by position. A loaded machine can take a while to end a WebKit app.
 */
export async function leaveNothingBehind(db) {
  await waitFor(() => !appRunning(db) && !anyAppRunning(), { timeout: 90_000, message: "the app to exit" }).catch(
    (e) => console.log(`# ${e.message}`),
  );
  try {
    execFileSync("dunstctl", ["close-all"], { timeout: 10_000 });
  } catch {
    // no dunst: nothing shown
  }
}

/** What sticks out of the viewport sideways, what is cut off, and the smallest text, as the page sees it. */
export const LAYOUT_PROBLEMS = `
  const vw = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > vw + 1) {
    problems.push("the page scrolls sideways: " + document.documentElement.scrollWidth + " > " + vw);
  }
  const label = (el) => (el.getAttribute("data-testid") || el.tagName.toLowerCase()) + " «" + (el.textContent || "").trim().slice(0, 30) + "»";
  const controls = document.querySelectorAll('.sidebar button, .screen-header button, .toolbar button, [role="toolbar"] button, .tabs button');
  for (const el of controls) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < -1 || r.right > vw + 1) problems.push(label(el) + " is outside the window (" + Math.round(r.left) + ".." + Math.round(r.right) + " of " + vw + ")");
    if (el.scrollWidth > el.clientWidth + 2 && getComputedStyle(el).overflow !== "visible") problems.push(label(el) + " has its text cut off");
  }
  // What of an element shows: its box cut by every ancestor that clips (an ellipsis column).
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const cs = getComputedStyle(p);
      if (cs.overflowX === "visible" && cs.overflowY === "visible") continue;
      const c = p.getBoundingClientRect();
      [left, top, right, bottom] = [Math.max(left, c.left), Math.max(top, c.top), Math.min(right, c.right), Math.min(bottom, c.bottom)];
    }
    return { left, top, right, bottom, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
  };
  // Two things drawn over each other (a squeezed block spilling over the next one): the visible
  // fields, buttons and pieces of text that neither contain nor are contained by one another.
  const boxes = [];
  for (const el of document.querySelectorAll("main *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own && !el.matches("input, select, textarea, button")) continue;
    const r = visible(el);
    if (r.width < 2 || r.height < 2 || getComputedStyle(el).visibility === "hidden") continue;
    boxes.push([el, r]);
  }
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, ra] = boxes[i];
      const [b, rb] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 3 && h > 3) overlaps.push(label(a) + " overlaps " + label(b));
    }
  }
  problems.push(...overlaps.slice(0, 10));
  let smallest = Infinity;
  for (const el of document.querySelectorAll("main *, .sidebar *")) {
    if (!el.childNodes.length || ![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    smallest = Math.min(smallest, parseFloat(getComputedStyle(el).fontSize));
  }
  return { problems, smallest, width: vw, height: document.documentElement.clientHeight };
`;

/**
 * `it` for a story told in steps: each runs only when the ones before passed, and a failing one
 * leaves a screenshot named after it in `out`.
 */
export function stepper(it, prefix, out, session) {
  let failed = false;
  return (name, timeout, fn) =>
    it(name, { timeout }, async (t) => {
      if (failed) return t.skip("an earlier step failed");
      try {
        await fn(t);
      } catch (e) {
        failed = true;
        const s = session();
        const file = join(out, `failure-${prefix}${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.png`);
        if (s) await s.screenshot(file).then(() => t.diagnostic(`screenshot: ${file}`)).catch(() => {});
        throw e;
      }
    });
}
