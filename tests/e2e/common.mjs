// What the end-to-end files share: the harness's environment, form filling, the notification log,
// the keychain, fake servers of their own, and the app's process on a file's own database.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
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
  await (await s.waitForElement(`${tid(selectId)} option[value="${value}"]`)).click();
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

/** How many times `needle` occurs in `file` (grep -a -c -F); 0 when the file does not exist. */
export function grepCount(file, needle) {
  if (!existsSync(file)) return 0;
  try {
    return Number(execFileSync("grep", ["-a", "-c", "-F", "--", needle, file], { encoding: "utf8" }).trim());
  } catch (e) {
    if (e.status === 1) return 0; // grep: no match
    throw e;
  }
}

/** The app's keychain entry for an account's secret (keyring stores the user as "username"). */
export function keychain(accountId, field) {
  return execFileSync("secret-tool", ["lookup", "service", "ordertray", "username", `${accountId}/${field}`], {
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

/** Starts a fake marketplace server; `url` resolves with its base URL once it says it listens. */
export function startFake(bin, args, name) {
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
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

/**
 * After a file's app: it is single-instance, so the next file's app must not find this one still
 * running; its popups stay on screen until acted on, and the next file clicks popups by position.
 */
export async function leaveNothingBehind(db) {
  await waitFor(() => !appRunning(db), { timeout: 20_000, message: "the app to exit" }).catch(() => {});
  try {
    execFileSync("dunstctl", ["close-all"], { timeout: 10_000 });
  } catch {
    // no dunst: nothing shown
  }
}

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
