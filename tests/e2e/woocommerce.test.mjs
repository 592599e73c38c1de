// End-to-end: the real Ordertray app against the fake WooCommerce store.
// Connect a store (consumer key and secret in the keychain only) -> the backfill starts at once with
// a progress bar on the account (pages read of pages in all; the fake answers slowly so it can be
// watched) -> orders are accepted on arrival into All orders with one popup -> an order whose buyer
// has neither e-mail nor phone is listed in the account's Log with its reason -> a returning buyer
// (same phone) is one customer with both orders -> the product both orders share is one catalog
// product, filed under a category reused from the store's other products, with both orders ->
// with the order intake on, the account form gives the webhook's address and copies its secret;
// the store's signed webhook brings its next order at once (the account polls every 10 minutes),
// a forged one is refused.
// Run through tests/e2e/run.sh. This file has its own database (--db) and its own fake store.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import {
  clickAt,
  clipboard,
  env,
  fill,
  freePort,
  grepCount,
  keepAutostart,
  keychain,
  leaveNothingBehind,
  notifyCalls,
  pick,
  removeDatabase,
  retype,
  secret,
  startFake,
  stepper,
  tid,
  sqlite,
  turnIntakeOn,
} from "./common.mjs";

const WEBDRIVER = env("E2E_WEBDRIVER_URL");
const APP = env("E2E_APP");
const FAKE_BIN = join(dirname(env("E2E_FAKE_BIN")), "ordertray-fake-woocommerce");
const NOTIFY_LOG = env("E2E_NOTIFY_LOG");
const OUT = env("E2E_OUT");
const HOME = env("E2E_HOME");
const DB = join(dirname(env("E2E_DB")), "woocommerce.db");
const KEY = secret("woocommerce: consumer key", `ck_e2e_${process.pid}_${Date.now()}`);
const SECRET = secret("woocommerce: consumer secret", `cs_e2e_${process.pid}_${Date.now()}`);
const ACCOUNT = "Web store";
/** The fake makes this many orders of ten buyers; three pages of 100 with the ones added below. */
const GENERATED = 250;
/** Each page of orders is answered this late, so that the progress bar can be seen. */
const PAGE_DELAY_MS = 2500;

/** A WooCommerce REST order as the fake serves it (fields the app reads). */
function wcOrder(id, minutesAgo, billing, items) {
  const at = new Date(Date.now() - minutesAgo * 60_000);
  const gmt = at.toISOString().slice(0, 19);
  return {
    id,
    number: String(id),
    status: "processing",
    currency: "RUB",
    date_created_gmt: gmt,
    date_modified_gmt: gmt,
    date_created: gmt,
    date_modified: gmt,
    total: items.reduce((sum, [, , , qty, price]) => sum + qty * price, 0).toFixed(2),
    billing: { country: "RU", city: "Казань", address_1: "ул. Баумана, 1", ...billing },
    shipping: { first_name: "", last_name: "", address_1: "", city: "" },
    line_items: items.map(([product, sku, name, quantity, price], i) => ({
      id: id * 100 + i + 1,
      product_id: product,
      variation_id: 0,
      sku,
      name,
      quantity,
      price,
      total: (quantity * price).toFixed(2),
    })),
  };
}

const IRINA = { first_name: "Ирина", last_name: "Соколова", phone: "+7 917 555-01-02" };
const RETURNING = [
  wcOrder(900_001, 3, { ...IRINA, email: "irina@example.ru" }, [[77, "FLT-77", "Фильтр &laquo;Mann&raquo;", 2, 450]]),
  wcOrder(900_002, 2, IRINA, [[77, "FLT-77", "Фильтр &laquo;Mann&raquo;", 1, 450]]),
];
/** The store's product 77, filed under two levels of one branch (the deeper is its category), the
 * top one named like the generated products' top category (one category in the catalog). */
const CATEGORIES = [
  { id: 11, name: "Запчасти", slug: "parts", parent: 0 },
  { id: 12, name: "Масляные фильтры", slug: "oil-filters", parent: 11 },
];
const PRODUCT_77 = {
  id: 77,
  name: "Фильтр «Mann»",
  sku: "FLT-77",
  description: "<p>Фильтр <b>Mann</b> W 712</p><script>alert(1)</script>",
  short_description: "",
  categories: [
    { id: 11, name: "Запчасти", slug: "parts" },
    { id: 12, name: "Масляные фильтры", slug: "oil-filters" },
  ],
};
const NO_CONTACT = wcOrder(900_003, 1, { first_name: "Без", last_name: "Связи" }, [[78, "X", "Щётка", 1, 99]]);

describe("WooCommerce end to end", { timeout: 600_000 }, () => {
  /** @type {Session} */
  let s;
  let fakeChild;
  let fakeUrl;
  let accountId;
  let restoreAutostart;
  const step = stepper(it, "woocommerce-", OUT, () => s);

  before(async () => {
    restoreAutostart = keepAutostart(HOME);
    removeDatabase(DB);
    const started = startFake(
      FAKE_BIN,
      ["--generate", String(GENERATED), "--page-delay-ms", String(PAGE_DELAY_MS)],
      "WooCommerce",
      { consumerKey: KEY, consumerSecret: SECRET },
    );
    fakeChild = started.child;
    fakeUrl = await started.url;
    const res = await fetch(`${fakeUrl}/__fake/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([...RETURNING, NO_CONTACT]),
    });
    assert.ok(res.ok, `the fake took the orders: HTTP ${res.status}`);
    for (const [path, body] of [
      ["categories", CATEGORIES],
      ["products", [PRODUCT_77]],
    ]) {
      const r = await fetch(`${fakeUrl}/__fake/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      assert.ok(r.ok, `the fake took the ${path}: HTTP ${r.status}`);
    }
    s = await Session.start(WEBDRIVER, APP, { timeout: 120_000, args: ["--db", DB] });
  });

  after(async () => {
    if (s) await s.deleteSession().catch(() => {});
    await leaveNothingBehind(DB);
    fakeChild?.kill();
    restoreAutostart?.();
  });

  step("connect the store (connection test, save)", 120_000, async () => {
    await (await s.waitForElement(tid("add-account"), 45_000)).click();
    await pick(s, "account-kind", "woocommerce");
    await fill(s, "account-name", ACCOUNT);
    await fill(s, "account-store-url", fakeUrl);
    await fill(s, "account-consumer-key", KEY);
    await fill(s, "account-consumer-secret", SECRET);
    await retype(s, "account-interval", "600");
    await (await s.waitForElement(tid("account-test"))).click();
    const result = await waitFor(
      async () => {
        const els = await s.findAll(tid("account-test-result"));
        const t = els.length ? (await els[0].text()).trim() : "";
        // "Testing…" while the store answers (slowly here: the fake delays its order lists).
        return t === "" || t.endsWith("…") ? null : t;
      },
      { timeout: 30_000, message: "account-test-result" },
    );
    assert.match(result, /✓/, `connection test result: ${result}`);
    assert.ok(!result.includes(KEY) && !result.includes(SECRET), "the test result shows a secret");
    await (await s.waitForElement(tid("account-save"))).click();
    const row = await s.waitForElement(tid("account-row"), 30_000);
    accountId = await waitFor(() => row.attribute("data-account-id"), { message: "data-account-id" });
  });

  step("the backfill starts at once with a progress bar: page N of 3", 90_000, async () => {
    const bar = `${tid("sync-progress")}[data-account-id="${accountId}"]`;
    const seen = await waitFor(
      async () => {
        const els = await s.findAll(bar);
        if (!els.length) return null;
        return { label: await els[0].attribute("aria-label"), max: await els[0].attribute("max") };
      },
      { timeout: 60_000, message: "the account's progress bar" },
    );
    await s.screenshot(join(OUT, "woocommerce-backfill.png"));
    assert.equal(String(seen.max), "3", `the bar counts three pages (${seen.label})`);
    assert.match(seen.label ?? "", /\b3\b/, `the bar says how many pages: ${seen.label}`);
    await waitFor(async () => (await s.findAll(bar)).length === 0, {
      timeout: 60_000,
      message: "the progress bar to go when the last page is stored",
    });
  });

  step("the orders are accepted on arrival into All orders, announced by one popup", 90_000, async () => {
    await waitFor(() => notifyCalls(NOTIFY_LOG).some((m) => m.includes(ACCOUNT)), {
      timeout: 30_000,
      message: `a Notify call naming ${ACCOUNT} in ${NOTIFY_LOG}`,
    });
    assert.equal(
      execSqlite("SELECT COUNT(*) FROM lines l JOIN orders o ON o.id = l.order_id WHERE o.number = '900001' AND l.state = 'new'"),
      "0",
      "nothing of order 900001 waits in the inbox",
    );
    await (await s.waitForElement(tid("nav-inbox"))).click();
    await s.waitForElement(tid("inbox"), 30_000);
    assert.equal((await s.findAll(`${tid("inbox-row")}[data-order-number="900001"]`)).length, 0, "nothing waits in the inbox");
    await (await s.waitForElement(tid("nav-orders"))).click();
    const count = Number(
      execSqlite(`SELECT COUNT(*) FROM shop_orders WHERE source_order_id IS NOT NULL`),
    );
    assert.equal(count, GENERATED + RETURNING.length, "every importable order is a shop order");
  });

  step("the order left out is in the account's Log with its reason", 60_000, async () => {
    await (await s.waitForElement(tid("nav-accounts"))).click();
    await (await s.waitForElement(`${tid("account-log-button")}[data-account-id="${accountId}"]`)).click();
    const row = await s.waitForElement(`${tid("account-log-skipped")}[data-order-number="900003"]`, 30_000);
    const text = await row.text();
    assert.match(text, /e-mail/i, `the reason names the missing contact: ${text}`);
    assert.equal((await s.findAll(tid("account-log-skipped"))).length, 1, "only that order was left out");
    await s.screenshot(join(OUT, "woocommerce-log.png"));
  });

  step("a returning buyer is one customer with both orders", 60_000, async () => {
    await (await s.waitForElement(tid("nav-customers"))).click();
    const rows = await waitFor(
      async () => {
        const mine = [];
        for (const row of await s.findAll(tid("customer-row"))) {
          if (!(await row.text()).includes("Соколова")) continue;
          mine.push(await (await s.find("td.num", row)).text());
        }
        return mine.length ? mine : null;
      },
      { timeout: 30_000, message: "Ирина Соколова among the customers" },
    );
    assert.deepEqual(rows, ["2"], "one customer with both orders");
  });

  step("the product both orders share is one catalog product with both orders", 60_000, async () => {
    await (await s.waitForElement(tid("nav-catalog"))).click();
    await fill(s, "catalog-search", "FLT-77");
    const row = await waitFor(
      async () => {
        const rows = await s.findAll(tid("catalog-product"));
        return rows.length === 1 && (await rows[0].text()).includes("Фильтр «Mann»") ? rows[0] : null;
      },
      { timeout: 30_000, message: "one catalog product FLT-77" },
    );
    assert.match(await row.text(), /Запчасти \/ Масляные фильтры/, "the deeper category of its branch");
    await (await s.find("button", row)).click();
    const description = await (await s.waitForElement(tid("catalog-product-description"))).text();
    assert.equal(description, "Фильтр Mann W 712", "the store's markup is gone, no script text");
    const orders = await waitFor(
      async () => {
        const found = await s.findAll(tid("catalog-product-order"));
        return found.length === 2 ? found : null;
      },
      { timeout: 30_000, message: "both orders on the product" },
    );
    const texts = await Promise.all(orders.map((o) => o.text()));
    assert.ok(texts[0].includes("900002") && texts[1].includes("900001"), `newest first: ${texts}`);
    await s.screenshot(join(OUT, "woocommerce-catalog.png"));
    // One "Запчасти" at the top, shared by the generated products and this one.
    const top = [];
    for (const c of await s.findAll(tid("catalog-category"))) {
      if ((await c.attribute("data-depth")) === "0") top.push(await c.text());
    }
    assert.equal(top.filter((t) => t.includes("Запчасти")).length, 1, `top categories: ${top}`);
    await orders[0].click();
    await s.waitForElement(tid("shop-order"), 30_000);
  });

  step("a signed webhook from the store brings its new order at once; a forged one is refused", 120_000, async () => {
    const port = await freePort();
    await turnIntakeOn(s, port);
    const url = `http://127.0.0.1:${port}/intake/woocommerce/${accountId}`;
    await (await s.waitForElement(tid("nav-accounts"))).click();
    await (await s.waitForElement(tid("account-edit"))).click();
    const shown = await waitFor(
      async () => {
        const t = (await (await s.waitForElement(tid("webhook-url"))).text()).trim();
        return t.includes("/intake/") ? t : null;
      },
      { timeout: 20_000, message: "the webhook address in the account form" },
    );
    assert.equal(shown, url);
    assert.equal((await s.findAll(tid("webhook-not-serving"))).length, 0, "the form says the intake is off");
    // Copy secret makes the secret and puts it on the clipboard; it is never on the screen.
    await clickAt(s, tid("webhook-copy-secret"));
    const made = await waitFor(() => (/^[0-9a-f]{48}$/.test(clipboard()) ? clipboard() : null), {
      timeout: 20_000,
      message: "the webhook secret on the clipboard",
    });
    const webhookSecret = secret("woocommerce: webhook secret (made by the app)", made);
    assert.equal(keychain(DB, accountId, "webhook_secret"), webhookSecret, "the secret is the keychain's");
    assert.ok(!(await (await s.find("body")).text()).includes(webhookSecret), "the secret is on the screen");
    await s.screenshot(join(OUT, "woocommerce-webhooks.png"));
    await (await s.waitForElement(tid("nav-orders"))).click();

    // The manager adds the webhook in WooCommerce: it pings the address first.
    const admin = async (path, body) => {
      const r = await fetch(`${fakeUrl}${path}`, {
        method: body ? "POST" : "GET",
        headers: { "content-type": "application/json" },
        body: body ? JSON.stringify(body) : undefined,
      });
      assert.ok(r.ok, `${path}: HTTP ${r.status}`);
      return r.json().catch(() => null);
    };
    await admin("/__fake/webhooks", { topic: "order.created", delivery_url: url, secret: webhookSecret });
    await waitFor(async () => (await admin("/__fake/webhook-deliveries")).some((d) => d.topic === "ping" && d.status === 200), {
      timeout: 20_000,
      message: "the store's ping answered 200",
    });

    const order = wcOrder(900_010, 0, { ...IRINA, email: "irina@example.ru" }, [[77, "FLT-77", "Фильтр &laquo;Mann&raquo;", 1, 450]]);
    const forged = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-wc-webhook-topic": "order.created",
        "x-wc-webhook-signature": "bm90IHRoZSBzdG9yZSdzIHNpZ25hdHVyZQ==",
      },
      body: JSON.stringify(order),
    });
    assert.equal(forged.status, 401, "a delivery not signed with the secret is refused");

    await admin("/__fake/orders", [order]);
    await waitFor(() => execSqlite("SELECT COUNT(*) FROM shop_orders WHERE number = '900010'") === "1", {
      timeout: 30_000,
      message: "order 900010 in All orders right after the webhook (the account polls every 10 minutes)",
    });
    const delivered = await admin("/__fake/webhook-deliveries");
    assert.ok(delivered.some((d) => d.topic === "order.created" && d.status === 200), JSON.stringify(delivered));
    assert.equal(execSqlite(`SELECT COUNT(*) FROM intake_requests WHERE outcome = 'webhook'`), "1", "the delivery is in the intake log");
    for (const file of [DB, `${DB}-wal`]) {
      assert.equal(grepCount(file, webhookSecret), 0, `the webhook secret was found in ${file}`);
    }
  });

  step("the key and the secret are in the keychain and in no database file", 30_000, async () => {
    for (const [field, value] of [
      ["consumer_key", KEY],
      ["consumer_secret", SECRET],
    ]) {
      assert.equal(keychain(DB, accountId, field), value, `keychain entry ${accountId}/${field}`);
      for (const file of [DB, `${DB}-wal`, `${DB}-shm`]) {
        assert.equal(grepCount(file, value), 0, `the ${field} was found in ${file}`);
      }
    }
  });
});

function execSqlite(query) {
  return sqlite(DB, query);
}
