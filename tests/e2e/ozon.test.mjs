// End-to-end: the real Ordertray app against the fake Ozon server.
// Connect an account (key in the keychain only) -> a posting arrives -> OS notification -> keyboard triage
// -> the status goes back to Ozon (ship / cancel).
// Run through tests/e2e/run.sh, which provides the environment below.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { FakeOzon } from "./fake.mjs";
import { cursorOn, env, fill, grepCount, importPriceList, keychain, notifyCalls, retype, stepper, tid } from "./common.mjs";

const WEBDRIVER = env("E2E_WEBDRIVER_URL");
const APP = env("E2E_APP");
const FAKE = env("E2E_FAKE_URL");
const CLIENT_ID = env("E2E_CLIENT_ID");
const API_KEY = env("E2E_API_KEY");
const NOTIFY_LOG = env("E2E_NOTIFY_LOG");
const DB = env("E2E_DB");
const OUT = env("E2E_OUT");
const HOME = env("E2E_HOME");
const AUTOSTART = join(HOME, ".config", "autostart", "Ordertray.desktop");
const fake = new FakeOzon(FAKE);

const rowsOf = (number) => `${tid("inbox-row")}[data-order-number="${number}"]`;

/** The posting's inbox rows; on timeout, says which data-order-number values the inbox shows. */
async function waitForRows(s, number, count, timeout = 60_000) {
  try {
    return await waitFor(
      async () => {
        const r = await s.findAll(rowsOf(number));
        return r.length === count ? r : null;
      },
      { timeout, message: `${count} inbox row(s) for posting ${number}` },
    );
  } catch (e) {
    const shown = await s
      .executeScript(
        "return [...document.querySelectorAll('[data-testid=inbox-row]')].map((r) => r.getAttribute('data-order-number'))",
      )
      .catch(() => "unknown");
    throw new Error(`${e.message}; inbox rows show data-order-number ${JSON.stringify(shown)}`);
  }
}

/** Click the sync button when the current screen has one; otherwise the account's 10 s poll does it. */
async function syncNowIfVisible(s) {
  const buttons = await s.findAll(tid("account-sync-now"));
  if (buttons.length) await buttons[0].click();
}

/** Whether the row's row-select checkbox is checked; null when the row does not say. */
async function isSelected(row) {
  const boxes = await row.findAll(tid("row-select"));
  if (!boxes.length) return null;
  const checked = await boxes[0].property("checked");
  if (typeof checked === "boolean") return checked;
  const aria = await boxes[0].attribute("aria-checked");
  return aria == null ? null : aria === "true";
}

async function openInbox(s) {
  await (await s.waitForElement(tid("nav-inbox"))).click();
}


describe("Ozon end to end", { timeout: 600_000 }, () => {
  /** @type {Session} */
  let s;
  let accountId;
  let firstPosting;
  const step = stepper(it, "", OUT, () => s);

  before(async () => {
    s = await Session.start(WEBDRIVER, APP, { timeout: 120_000 });
  });

  after(async () => {
    if (s) await s.deleteSession().catch(() => {});
  });

  step("first screen welcomes a shop with no account", 60_000, async () => {
    await s.waitForElement(tid("welcome"), 45_000);
    assert.ok(existsSync(DB), `the app did not create its database at ORDERTRAY_DB=${DB}`);
  });

  step("connect an Ozon account (connection test, save)", 90_000, async () => {
    await (await s.waitForElement(tid("add-account"))).click();
    await fill(s, "account-name", "E2E Shop");
    await fill(s, "account-client-id", CLIENT_ID);
    await fill(s, "account-api-key", API_KEY);
    await retype(s, "account-interval", "10");
    await (await s.waitForElement(tid("account-advanced"))).click();
    await fill(s, "account-base-url", FAKE);

    await (await s.waitForElement(tid("account-test"))).click();
    const result = await waitFor(
      async () => {
        const t = (await (await s.find(tid("account-test-result"))).text()).trim();
        return /\b(ok|success|successful|succeeded|connected|works|passed)\b|✓/i.test(t) ? t : null;
      },
      { timeout: 30_000, message: "account-test-result to report success" },
    );
    assert.doesNotMatch(result, /error|fail|invalid|denied/i, `connection test result: ${result}`);
    assert.ok(!result.includes(API_KEY), "the connection test result shows the API key");

    await (await s.waitForElement(tid("account-save"))).click();
    const row = await s.waitForElement(tid("account-row"), 30_000);
    accountId = await waitFor(() => row.attribute("data-account-id"), { message: "data-account-id" });
    assert.match(String(accountId), /\S/, "account-row has an empty data-account-id");
  });

  step("the API key is in the keychain and in no database file", 30_000, async () => {
    // keyring stores the entry's user as the Secret Service attribute "username".
    const stored = keychain(DB, accountId, "api_key");
    assert.equal(stored, API_KEY, `keychain entry service=ordertray username=${accountId}/api_key`);
    for (const file of [DB, `${DB}-wal`, `${DB}-shm`]) {
      assert.equal(grepCount(file, API_KEY), 0, `the API key was found in ${file}`);
    }
  });

  step("the first account turns on start at login (minimised); Settings turns it off", 60_000, async () => {
    const entry = await waitFor(() => (existsSync(AUTOSTART) ? readFileSync(AUTOSTART, "utf8") : null), {
      timeout: 20_000,
      message: `the login item ${AUTOSTART}`,
    });
    assert.match(entry, /^Exec=.*--minimized/m, `login item: ${entry}`);
    await (await s.waitForElement(tid("nav-settings"))).click();
    const box = await s.waitForElement(tid("settings-autostart"));
    await waitFor(async () => (await box.property("checked")) === true, {
      timeout: 10_000,
      message: "Settings to show autostart on",
    });
    await box.click();
    await waitFor(() => !existsSync(AUTOSTART), { timeout: 20_000, message: `${AUTOSTART} to be removed` });
  });

  step("a new posting reaches the inbox", 120_000, async () => {
    firstPosting = await fake.newPosting(2);
    await syncNowIfVisible(s);
    await openInbox(s);
    const rows = await waitForRows(s, firstPosting, 2);
    assert.equal(rows.length, 2);
    await s.screenshot(join(OUT, "inbox.png"));
  });

  step("an OS notification names the posting", 40_000, async () => {
    const call = await waitFor(() => notifyCalls(NOTIFY_LOG).find((m) => m.includes(firstPosting)), {
      timeout: 30_000,
      message: `a Notify call mentioning ${firstPosting} in ${NOTIFY_LOG}`,
    });
    assert.match(call, /member=Notify/);
  });

  step("clicking the popup opens that order", 60_000, async () => {
    // dunst's default action on the newest popup, as a click would; the app answers on D-Bus.
    execFileSync("dunstctl", ["action", "0"], { timeout: 10_000 });
    const number = await waitFor(
      async () => {
        // The order's own screen, not the inbox's side panel.
        if ((await s.findAll(tid("inbox"))).length) return null;
        const els = await s.findAll(tid("order-number"));
        for (const el of els) {
          const text = (await el.text()).trim();
          if (text === firstPosting) return text;
        }
        return null;
      },
      { timeout: 30_000, message: `the order ${firstPosting} to open after the popup's default action` },
    );
    assert.equal(number, firstPosting);
    await openInbox(s);
    await waitForRows(s, firstPosting, 2);
  });

  step("keyboard triage: select both lines with x/j, accept with a -> Ozon ship", 90_000, async () => {
    const rows = await s.findAll(rowsOf(firstPosting));
    assert.equal(rows.length, 2, "both rows of the posting before triage");
    await cursorOn(rows[0], `the first row of ${firstPosting}`);
    for (let i = 0; i < rows.length; i++) {
      if (i > 0) await s.press("j");
      // A click on a row may already select it; x toggles, so press it only when the row is not selected.
      if ((await isSelected(rows[i])) !== true) await s.press("x");
      const selected = await isSelected(rows[i]);
      assert.notEqual(selected, false, `row ${i + 1} of ${firstPosting} is not selected after x`);
    }
    await s.press("a");
    await waitFor(async () => (await s.findAll(rowsOf(firstPosting))).length === 0, {
      timeout: 30_000,
      message: `the rows of ${firstPosting} to leave the inbox after 'a'`,
    });

    const ship = await fake.waitForCall("/v4/posting/fbs/ship", firstPosting);
    const shipped = (ship.body.packages ?? []).flatMap((p) => p.products ?? []).map((p) => String(p.product_id));
    const posting = await fake.posting(firstPosting);
    const expected = posting.products.map((p) => String(p.sku));
    assert.equal(expected.length, 2, `the fake's posting should have 2 products: ${JSON.stringify(posting.products)}`);
    assert.deepEqual(
      [...new Set(shipped)].sort(),
      [...expected].sort(),
      `ship packages should hold both products: ${JSON.stringify(ship.body.packages)}`,
    );
  });

  step("reject a one-product posting with r -> Ozon cancel", 150_000, async () => {
    const number = await fake.newPosting(1);
    await syncNowIfVisible(s);
    await openInbox(s);
    const [row] = await waitForRows(s, number, 1);
    await cursorOn(row, `the row of ${number}`);
    await s.press("r");
    await waitFor(async () => (await s.findAll(rowsOf(number))).length === 0, {
      timeout: 30_000,
      message: `the row of ${number} to leave the inbox after 'r'`,
    });
    await fake.waitForCall("/v2/posting/fbs/cancel", number);
    await s.screenshot(join(OUT, "inbox-after-triage.png"));
  });

  step("the language switch changes the visible text at once", 30_000, async () => {
    const nav = await s.waitForElement(tid("nav-inbox"));
    const switchTo = async (lang) => {
      await (await s.find(`${tid("lang-switch")} option[value="${lang}"]`)).click();
    };
    await switchTo("ru");
    await waitFor(async () => /Входящие/.test(await nav.text()), { message: "nav-inbox in Russian" });
    await switchTo("pl");
    await waitFor(async () => /Skrzynka/.test(await nav.text()), { message: "nav-inbox in Polish" });
    await switchTo("en");
    await waitFor(async () => /Inbox/.test(await nav.text()), { message: "nav-inbox in English" });
  });

  step("in Russian, a new order's alert and its timeline are worded in Russian", 120_000, async () => {
    const lang = async (code) => (await s.find(`${tid("lang-switch")} option[value="${code}"]`)).click();
    await lang("ru");
    const nav = await s.waitForElement(tid("nav-inbox"));
    await waitFor(async () => /Входящие/.test(await nav.text()), { message: "the UI in Russian" });
    const number = await fake.newPosting(1);
    // The engine sends the alert as a code with arguments; the window words it in its language.
    const toast = await waitFor(
      async () => {
        for (const t of await s.findAll(tid("toast"))) if ((await t.text()).includes(number)) return t;
        return null;
      },
      { timeout: 60_000, message: `an in-app alert naming ${number}` },
    );
    assert.match(await toast.text(), /1 новый заказ/, "the alert in Russian");
    await (await s.find(tid("open-alert"), toast)).click();
    await waitFor(async () => (await (await s.waitForElement(tid("order-number"))).text()).includes(number), {
      timeout: 20_000,
      message: `the order screen of ${number}`,
    });
    const events = [];
    for (const e of await s.findAll(tid("order-event"))) events.push(await e.text());
    assert.ok(
      events.some((e) => e.includes(`Заказ ${number} поступил`)),
      `timeline: ${JSON.stringify(events)}`,
    );
    await s.screenshot(join(OUT, "order-ru.png"));
    // An engine error is sent as a code with arguments too: a price list that is not there.
    await (await s.waitForElement(tid("nav-pricelists"))).click();
    const missing = join(OUT, "нет-такого-прайса.csv");
    await fill(s, "pricelist-path", missing);
    await (await s.waitForElement(tid("pricelist-preview"))).click();
    const problem = await s.waitForElement(tid("pricelist-problem"), 20_000);
    assert.match(await problem.text(), /^Не удалось прочитать .*нет-такого-прайса\.csv: /, "the engine's error in Russian");
    await s.screenshot(join(OUT, "error-ru.png"));
    await (await s.waitForElement(tid("pricelist-path"))).clear();
    await lang("en");
    await waitFor(async () => /Inbox/.test(await nav.text()), { message: "the UI back in English" });
  });

  step("pausing sync shows on every screen until resumed", 60_000, async () => {
    await (await s.waitForElement(tid("nav-settings"))).click();
    await (await s.waitForElement(tid("sync-pause"))).click();
    await s.waitForElement(tid("sync-paused"), 20_000);
    await openInbox(s);
    await (await s.waitForElement(tid("sync-resume"))).click();
    await waitFor(async () => (await s.findAll(tid("sync-paused"))).length === 0, {
      timeout: 20_000,
      message: "the pause banner to go after Resume",
    });
  });

  step("the diagnostic bundle carries the log but not the API key", 60_000, async () => {
    await (await s.waitForElement(tid("nav-settings"))).click();
    await (await s.waitForElement(tid("save-diagnostics"))).click();
    const shown = await waitFor(
      async () => {
        const els = await s.findAll(tid("diagnostics-path"));
        return els.length ? (await els[0].text()).trim() : null;
      },
      { timeout: 30_000, message: "diagnostics-path" },
    );
    const path = shown.slice(shown.indexOf("/"));
    assert.ok(existsSync(path), `bundle ${path} (from "${shown}") does not exist`);
    const listing = JSON.parse(
      execFileSync(
        "python3",
        [
          "-c",
          "import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({n: z.read(n).decode('utf-8', 'replace') for n in z.namelist()}))",
          path,
        ],
        { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      ),
    );
    const names = Object.keys(listing);
    assert.ok(names.some((n) => n.startsWith("logs/")), `no log in the bundle: ${names}`);
    assert.ok(names.includes("accounts.json"), `no accounts.json in the bundle: ${names}`);
    for (const [name, text] of Object.entries(listing)) {
      assert.ok(!text.includes(API_KEY), `${name} in the bundle contains the API key`);
    }
  });

  step("a price list imported in the app and two rules decide a new posting on arrival", 240_000, async () => {
    // Polling waits while the list and the rules are set up, so the posting meets them on arrival.
    await (await s.waitForElement(tid("nav-settings"))).click();
    await (await s.waitForElement(tid("sync-pause"))).click();
    await s.waitForElement(tid("sync-paused"), 20_000);
    const number = await fake.newPosting(2);
    const products = (await fake.posting(number)).products;
    const [inStock, gone] = products;
    const half = (p) => (Number(p.price.amount ?? p.price) / 2).toFixed(2).replace(".", ",");
    const csv = join(OUT, "склад.csv");
    writeFileSync(
      csv,
      "Бренд;Артикул;Наименование;Цена;Наличие;Срок\n" +
        `MANN-FILTER;${inStock.offer_id};Фильтр масляный;${half(inStock)};${inStock.quantity + 5};2\n` +
        `Bosch;${gone.offer_id};Колодки;${half(gone)};0;3\n` +
        "NGK;BKR6E;Свеча;по запросу;1;1\n",
    );

    const summary = await importPriceList(s, csv, "Склад");
    assert.equal((await (await s.find(tid("summary-offers"), summary)).text()).trim(), "2");
    assert.equal((await (await s.find(tid("summary-rejected"), summary)).text()).trim(), "1");
    await fill(s, "offer-search", inStock.offer_id.toLowerCase().replace(/-/g, " "));
    await waitFor(
      async () => {
        const [first] = await s.findAll(tid("offer-result"));
        return first && (await first.text()).includes(inStock.offer_id);
      },
      { timeout: 20_000, message: "the imported offer found first by its article typed another way" },
    );

    // Rule 1: accept the cheapest offer in stock; rule 2: reject the rest.
    await (await s.waitForElement(tid("nav-accounts"))).click();
    await (await s.waitForElement(tid(`rules-${accountId}`))).click();
    await (await s.waitForElement(tid("rules-add"))).click();
    await (await s.waitForElement(tid("rules-add"))).click();
    const rules = await waitFor(async () => ((r) => (r.length === 2 ? r : null))(await s.findAll(tid("rule"))), {
      message: "two rule cards",
    });
    const name = async (rule, text) => {
      const el = await s.find(tid("rule-name"), rule);
      await el.clear();
      await el.sendKeys(text);
    };
    await name(rules[0], "В наличии");
    await (await s.find(`${tid("rule-add-condition")} option[value="stock_covers_quantity"]`, rules[0])).click();
    await name(rules[1], "Остальное отклонить");
    await (await s.find(`${tid("rule-action")} option[value="reject"]`, rules[1])).click();
    const enabled = await s.waitForElement(tid("rules-enabled"));
    if ((await enabled.property("checked")) !== true) await enabled.click();
    await (await s.waitForElement(tid("rules-save"))).click();
    await waitFor(async () => (await s.findAll(tid("rules-unsaved"))).length === 0, {
      timeout: 20_000,
      message: "the rules to be saved",
    });

    // Sync resumes: the posting arrives and both lines are decided by the rules.
    await (await s.waitForElement(tid("sync-resume"))).click();
    await (await s.waitForElement(tid("nav-accounts"))).click();
    await syncNowIfVisible(s);
    await openInbox(s);
    await (await s.waitForElement(tid("view-processed"))).click();
    const decided = await waitForRows(s, number, 2, 90_000);
    const texts = [];
    for (const row of decided) texts.push((await (await s.find(tid("rule-decision"), row)).text()).trim());
    assert.ok(texts.some((t) => t.includes("В наличии")), `processed rows: ${JSON.stringify(texts)}`);
    assert.ok(texts.some((t) => t.includes("Остальное отклонить")), `processed rows: ${JSON.stringify(texts)}`);
    await s.screenshot(join(OUT, "processed.png"));

    // Ozon gets exactly: the product without stock cancelled, the other shipped.
    const cancel = await fake.waitForCall("/v2/posting/fbs/product/cancel", number);
    assert.deepEqual(cancel.body.items.map((i) => String(i.sku)), [String(gone.sku)]);
    const ship = await fake.waitForCall("/v4/posting/fbs/ship", number);
    const shipped = ship.body.packages.flatMap((p) => p.products).map((p) => String(p.product_id));
    assert.deepEqual(shipped, [String(inStock.sku)]);
    const calls = (await fake.calls()).filter((c) => c.body?.posting_number === number && c.path !== "/v3/posting/fbs/get");
    assert.equal(calls.length, 2, `calls for ${number}: ${JSON.stringify(calls.map((c) => c.path))}`);
    await openInbox(s);
  });

  step("a second start hands over to the running app and exits", 60_000, async () => {
    const second = spawnSync(APP, [], { timeout: 45_000, encoding: "utf8", env: process.env });
    assert.equal(second.error, undefined, `second start did not finish: ${second.error}`);
    assert.equal(second.status, 0, `second start exited with ${second.status}: ${second.stderr?.slice(-2000)}`);
    // The first instance is still there and answering.
    await s.waitForElement(tid("nav-inbox"));
  });
});
