// End-to-end: the real Ordertray app against the fake Cartum and Shopify shops, connected through
// the account form the way a manager does it.
// A Cartum shop (login and password) is connected: it sells in hryvnias, the shop in roubles, so
// its account says why it imports nothing -> the shop's currency is changed and "Sync now" brings
// its orders into All orders, delivered ones left out -> a Shopify shop (the app's client id and
// secret) is connected and its orders arrive. The password and the secret are in the keychain only.
// Run through tests/e2e/run.sh. This file has its own database (--db) and its own fakes.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
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
  retype,
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
const DB = join(dirname(env("E2E_DB")), "store-platforms.db");
const CARTUM_PASSWORD = secret("cartum: password", `cartum_e2e_${process.pid}_${Date.now()}`);
const SHOPIFY_SECRET = secret("shopify: client secret", `shpss_e2e_${process.pid}_${Date.now()}`);
const CARTUM_ORDERS = 30;
const SHOPIFY_ORDERS = 20;

function sql(query) {
  return execFileSync("sqlite3", [DB, query], { encoding: "utf8", timeout: 10_000 }).trim();
}

/** Shop orders made from the named account's orders. */
function shopOrdersOf(account) {
  return Number(
    sql(`SELECT COUNT(*) FROM shop_orders s JOIN accounts a ON a.id = s.account_id WHERE a.name = '${account}'`),
  );
}

describe("Cartum and Shopify end to end", { timeout: 600_000 }, () => {
  /** @type {Session} */
  let s;
  const fakes = [];
  let cartumUrl;
  let shopifyUrl;
  let restoreAutostart;
  const step = stepper(it, "store-platforms-", OUT, () => s);

  before(async () => {
    restoreAutostart = keepAutostart(HOME);
    removeDatabase(DB);
    const cartum = startFake(join(BIN_DIR, "ordertray-fake-cartum"), ["--generate", String(CARTUM_ORDERS)], "Cartum", {
      env: { ORDERTRAY_FAKE_CARTUM_LOGIN: "manager", ORDERTRAY_FAKE_CARTUM_PASSWORD: CARTUM_PASSWORD },
    });
    const shopify = startFake(
      join(BIN_DIR, "ordertray-fake-shopify"),
      ["--generate", String(SHOPIFY_ORDERS)],
      "Shopify",
      { env: { ORDERTRAY_FAKE_SHOPIFY_CLIENT_ID: "e2e-client", ORDERTRAY_FAKE_SHOPIFY_CLIENT_SECRET: SHOPIFY_SECRET } },
    );
    fakes.push(cartum.child, shopify.child);
    cartumUrl = await cartum.url;
    shopifyUrl = await shopify.url;
    s = await Session.start(WEBDRIVER, APP, { timeout: 120_000, args: ["--db", DB] });
  });

  after(async () => {
    if (s) await s.deleteSession().catch(() => {});
    await leaveNothingBehind(DB);
    for (const f of fakes) f?.kill();
    restoreAutostart?.();
  });

  async function shopCurrency(code) {
    await (await s.waitForElement(tid("nav-settings"), 45_000)).click();
    // The field holds the last currency: a bare clear() would be undone by the next render.
    const input = await retype(s, "settings-shop-currency", code);
    await input.sendKeys("\uE007");
    await waitFor(() => sql("SELECT value FROM app_settings WHERE key = 'app'").includes(`"shop_currency":"${code}"`), {
      timeout: 15_000,
      message: `the shop currency saved as ${code}`,
    });
  }

  async function connect(kind, name, fields) {
    await (await s.waitForElement(tid("nav-accounts"))).click();
    await (await s.waitForElement(tid("add-account"), 30_000)).click();
    await pick(s, "account-kind", kind);
    await fill(s, "account-name", name);
    for (const [id, value] of fields) await fill(s, id, value);
    await retype(s, "account-interval", "600");
    await (await s.waitForElement(tid("account-test"))).click();
    const result = await waitFor(
      async () => {
        const els = await s.findAll(tid("account-test-result"));
        const t = els.length ? (await els[0].text()).trim() : "";
        return t === "" || t.endsWith("…") ? null : t;
      },
      { timeout: 30_000, message: `${kind}: account-test-result` },
    );
    assert.match(result, /✓/, `${kind} connection test: ${result}`);
    await s.screenshot(join(OUT, `store-platforms-${kind}-form.png`));
    await (await s.waitForElement(tid("account-save"))).click();
    return waitFor(
      async () => {
        for (const row of await s.findAll(tid("account-row"))) {
          if ((await row.text()).includes(name)) return row.attribute("data-account-id");
        }
        return null;
      },
      { timeout: 30_000, message: `the ${name} row` },
    );
  }

  /** The account's error once its sync failed. */
  async function lastError(id) {
    return waitFor(
      async () => {
        const el = await s.findAll(`${tid("account-row")}[data-account-id="${id}"] ${tid("account-last-error")}`);
        return el.length ? el[0].text() : null;
      },
      { timeout: 60_000, message: `account ${id}'s error` },
    );
  }

  async function syncNow(id) {
    await (await s.waitForElement(tid("nav-accounts"))).click();
    await (await s.waitForElement(`${tid("account-row")}[data-account-id="${id}"] ${tid("account-sync-now")}`)).click();
  }

  step("a Cartum shop: in another currency it says why, in the shop's its orders arrive", 150_000, async () => {
    const id = await connect("cartum", "Cartum shop", [
      ["account-store-url", cartumUrl],
      ["account-login", "manager"],
      ["account-password", CARTUM_PASSWORD],
    ]);
    const error = await lastError(id);
    assert.match(error, /UAH/, `the error names the shop's currency: ${error}`);
    assert.match(error, /RUB/, `and the shop's own: ${error}`);
    assert.equal(shopOrdersOf("Cartum shop"), 0, "nothing imported");
    await s.screenshot(join(OUT, "store-platforms-currency.png"));

    await shopCurrency("UAH");
    await syncNow(id);
    // Every tenth generated order is delivered: the backfill leaves those out.
    const expected = CARTUM_ORDERS - CARTUM_ORDERS / 10;
    await waitFor(() => shopOrdersOf("Cartum shop") === expected, {
      timeout: 60_000,
      message: `${expected} Cartum orders in All orders`,
    });
    assert.equal(keychain(DB, id, "password"), CARTUM_PASSWORD);
  });

  step("a Shopify shop: connected with its app's client id and secret, its orders arrive", 150_000, async () => {
    await shopCurrency("USD");
    const id = await connect("shopify", "Shopify shop", [
      ["account-store-url", shopifyUrl],
      ["account-client-id", "e2e-client"],
      ["account-client-secret", SHOPIFY_SECRET],
    ]);
    await waitFor(() => shopOrdersOf("Shopify shop") > 0, { timeout: 60_000, message: "Shopify orders in All orders" });
    assert.equal(keychain(DB, id, "client_secret"), SHOPIFY_SECRET);
    for (const file of [DB, `${DB}-wal`]) {
      assert.equal(grepCount(file, SHOPIFY_SECRET), 0, `the secret was found in ${file}`);
      assert.equal(grepCount(file, CARTUM_PASSWORD), 0, `the password was found in ${file}`);
    }
    await (await s.waitForElement(tid("nav-orders"))).click();
    await s.waitForElement(`[role="row"][data-testid^="cabinet-row-"]`, 30_000);
    await s.screenshot(join(OUT, "store-platforms-orders.png"));
  });
});
