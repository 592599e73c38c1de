// End-to-end: the real Ordertray app sends orders to the fake RetailCRM, the way a manager does it.
// The CRM is connected through the account form (a transfer target: its key in the keychain only)
// -> all five orders are selected in All orders and sent with the bulk bar's "Send to" -> the
// progress runs and the summary says four went through and one did not, in the CRM's own words
// (this CRM insists on a phone, and one order has none) -> the CRM is told the phone is not needed
// any more, the summary's "Send again" sends the failed one and nothing is made twice.
// Run through tests/e2e/run.sh. This file has its own database (--db) and its own fake.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import {
  env,
  fill,
  grepCount,
  keepAutostart,
  keychain,
  leaveNothingBehind,
  pick,
  removeDatabase,
  secret,
  startFake,
  stepper,
  tid,
} from "./common.mjs";

const WEBDRIVER = env("E2E_WEBDRIVER_URL");
const APP = env("E2E_APP");
const BIN_DIR = dirname(env("E2E_FAKE_BIN"));
const OUT = env("E2E_OUT");
const HOME = env("E2E_HOME");
const DB = join(dirname(env("E2E_DB")), "transfers.db");
const KEY = secret("retailcrm: API key", `retailcrm_e2e_${process.pid}_${Date.now()}`);
const SITE = "fake-shop";
const NUMBERS = ["TR-1", "TR-2", "TR-3", "TR-4", "TR-5"];
/** The order with no phone: this CRM refuses it. */
const NO_PHONE = "TR-3";

function sql(query) {
  return execFileSync("sqlite3", [DB, query], { encoding: "utf8", timeout: 10_000 }).trim();
}

/** Orders made the way a script would (the CLI on the same database), before the app starts. */
function makeOrders() {
  for (const number of NUMBERS) {
    const file = join(dirname(DB), `${number}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        number,
        recipient: { name: "Попова Мария", phone: number === NO_PHONE ? "" : "+79001234567", email: "maria@example.com" },
        address: { city: "Казань", street: "ул. Баумана", house: "1", postal_code: "420111" },
        items: [{ article: "0986452041", brand: "BOSCH", name: "Фильтр", quantity: 2, price: "1000" }],
        delivery_method: "Почта России",
        payment_method: "cash_on_delivery",
      }),
    );
    execFileSync(join(BIN_DIR, "ordertray-cli"), ["--db", DB, "orders", "create", "--file", file], {
      encoding: "utf8",
      timeout: 30_000,
    });
  }
}

async function crm(url, path, body) {
  const r = await fetch(`${url}${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  assert.ok(r.ok, `${path}: HTTP ${r.status}`);
  const text = await r.text();
  return text ? JSON.parse(text) : null;
}

describe("Transfers end to end", { timeout: 600_000 }, () => {
  /** @type {Session} */
  let s;
  let fake;
  let crmUrl;
  let restoreAutostart;
  let target;
  const step = stepper(it, "transfers-", OUT, () => s);

  before(async () => {
    restoreAutostart = keepAutostart(HOME);
    removeDatabase(DB);
    makeOrders();
    const started = startFake(join(BIN_DIR, "ordertray-fake-retailcrm"), ["--site", SITE], "RetailCRM", {
      env: { ORDERTRAY_FAKE_RETAILCRM_API_KEY: KEY },
    });
    fake = started.child;
    crmUrl = await started.url;
    await crm(crmUrl, "/__fake/validation", { require_phone: true });
    s = await Session.start(WEBDRIVER, APP, { timeout: 120_000, args: ["--db", DB] });
  });

  after(async () => {
    if (s) await s.deleteSession().catch(() => {});
    await leaveNothingBehind(DB);
    fake?.kill();
    restoreAutostart?.();
  });

  step("the CRM is connected as a transfer target; its key goes to the keychain only", 120_000, async () => {
    await (await s.waitForElement(tid("nav-accounts"), 45_000)).click();
    await (await s.waitForElement(tid("add-account"), 30_000)).click();
    await pick(s, "account-kind", "retailcrm");
    await fill(s, "account-name", "CRM");
    await fill(s, "account-store-url", crmUrl);
    await fill(s, "account-site", SITE);
    await fill(s, "account-api-key", KEY);
    await (await s.waitForElement(tid("account-test"))).click();
    const result = await waitFor(
      async () => {
        const els = await s.findAll(tid("account-test-result"));
        const t = els.length ? (await els[0].text()).trim() : "";
        return t === "" || t.endsWith("…") ? null : t;
      },
      { timeout: 30_000, message: "the connection test's result" },
    );
    assert.match(result, /✓/, `connection test: ${result}`);
    await s.screenshot(join(OUT, "transfers-form.png"));
    await (await s.waitForElement(tid("account-save"))).click();
    target = await waitFor(
      async () => {
        for (const row of await s.findAll(tid("account-row"))) {
          if ((await row.text()).includes("CRM")) return row.attribute("data-account-id");
        }
        return null;
      },
      { timeout: 30_000, message: "the CRM's row" },
    );
    assert.equal(keychain(DB, target, "api_key"), KEY);
  });

  step("five orders sent in bulk: four go through, one is refused in the CRM's words", 180_000, async () => {
    await (await s.waitForElement(tid("nav-orders"))).click();
    await s.waitForElement(`[role="row"][data-testid^="cabinet-row-"]`, 30_000);
    await (await s.waitForElement(tid("cabinet-select-all"))).click();
    await (await s.waitForElement(tid("bulk-send"))).click();
    await (await s.waitForElement(tid(`bulk-send-target-${target}`))).click();
    const summary = await s.waitForElement(tid("send-summary"), 90_000);
    await waitFor(async () => (await summary.text()).includes(NO_PHONE), {
      timeout: 30_000,
      message: "the summary names the refused order",
    });
    const text = await summary.text();
    assert.match(await (await s.waitForElement(tid("send-summary-transferred"))).text(), /4/, text);
    assert.match(text, /phone/i, `the CRM's own words: ${text}`);
    await s.screenshot(join(OUT, "transfers-summary.png"));

    const states = sql(
      "SELECT s.number || ':' || t.state FROM order_transfers t JOIN shop_orders s ON s.id = t.shop_order_id ORDER BY s.number",
    ).split("\n");
    assert.deepEqual(
      states,
      NUMBERS.map((n) => `${n}:${n === NO_PHONE ? "problematic" : "transferred"}`),
    );
    const orders = await crm(crmUrl, "/__fake/orders");
    assert.equal(orders.length, 4, JSON.stringify(orders).slice(0, 300));
  });

  step("fixed at the CRM, Send again sends the refused order and makes no duplicate", 180_000, async () => {
    await crm(crmUrl, "/__fake/validation", { require_phone: false });
    await (await s.waitForElement(tid("send-again-failed"))).click();
    await waitFor(() => sql("SELECT COUNT(*) FROM order_transfers WHERE state = 'transferred'") === "5", {
      timeout: 60_000,
      message: "all five transferred",
    });
    const orders = await crm(crmUrl, "/__fake/orders");
    assert.equal(orders.length, 5, "one record per order");
    const problematic = sql(
      "SELECT COUNT(*) FROM shop_orders s JOIN shop_statuses st ON st.id = s.status_id WHERE st.code = 'problematic'",
    );
    assert.equal(problematic, "0");
    for (const file of [DB, `${DB}-wal`]) assert.equal(grepCount(file, KEY), 0, `the key was found in ${file}`);
    await s.screenshot(join(OUT, "transfers-done.png"));
  });
});
