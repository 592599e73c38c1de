// End-to-end: the README's screenshots, taken from demo data in the default 1200×768 window in English,
// so that what the README shows is what the app looks like today. Each is taken only once its screen
// shows what the picture is for (inline offers beside the inbox's lines, the order's detail, accepted
// orders in All orders, an order's screen, the accounts with their sync status), and checked for
// layout problems first. They go to tests/e2e/out/readme/; scripts/screenshots.sh copies them to
// docs/screenshots/, where the README takes them from.
// Run through tests/e2e/run.sh; this file has its own database (--db).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { env, importPriceList, LAYOUT_PROBLEMS, leaveNothingBehind, removeDatabase, stepper, tid } from "./common.mjs";

const WEBDRIVER = env("E2E_WEBDRIVER_URL");
const APP = env("E2E_APP");
const OUT = env("E2E_OUT");
const SHOTS = join(OUT, "readme");
const DB = join(dirname(env("E2E_DB")), "screenshots.db");
const BRANDS = ["MANN-FILTER", "Brembo", "NGK", "Bosch", "Gates", "KYB"];

/**
 * A supplier's price list for the demo's articles (ART-<posting>-<line>), leaving every third posting
 * out so that the inbox shows "no offer" beside offers.
 */
function demoPriceList() {
  const rows = ["Brand;Article;Name;Price;Stock;Days"];
  for (let seq = 1; seq <= 60; seq++) {
    if (seq % 3 === 0) continue;
    for (let line = 1; line <= 3; line++) {
      const price = 180 + ((seq * 97 + line * 31) % 600);
      const article = `ART-${String(seq).padStart(5, "0")}-${line}`;
      rows.push(`${BRANDS[(seq + line) % BRANDS.length]};${article};${article};${price},00;${1 + ((seq + line) % 12)};${1 + (seq % 4)}`);
    }
  }
  return rows.join("\n") + "\n";
}

describe("README screenshots from demo data", { timeout: 420_000 }, () => {
  /** @type {Session} */
  let s;
  const step = stepper(it, "screenshots-", OUT, () => s);

  /** Checks the screen for layout problems, then saves it as docs/screenshots/<name>.png would. */
  async function shoot(name) {
    // The demo's arrivals and the confirmations would cover the picture's corner.
    for (const close of await s.findAll(".notices .notice > button.link")) await close.click().catch(() => {});
    const seen = await s.executeScript(LAYOUT_PROBLEMS);
    assert.deepEqual(seen.problems, [], `${name}: layout problems`);
    await s.screenshot(join(SHOTS, `${name}.png`));
  }

  before(async () => {
    removeDatabase(DB);
    mkdirSync(SHOTS, { recursive: true });
    s = await Session.start(WEBDRIVER, APP, { timeout: 120_000, args: ["--db", DB] });
    await s.cmd("POST", "/window/rect", { width: 1200, height: 768 });
  });

  after(async () => {
    if (s) await s.deleteSession().catch(() => {});
    await leaveNothingBehind(DB);
  });

  step("the demo's orders arrive and a supplier's price list is imported", 180_000, async () => {
    await (await s.waitForElement(tid("try-demo"), 45_000)).click();
    await (await s.waitForElement(tid("nav-inbox"))).click();
    await waitFor(async () => (await s.findAll(tid("inbox-order"))).length >= 4, {
      timeout: 120_000,
      message: "four demo orders in the inbox",
    });
    const csv = join(OUT, "screenshots-supplier.csv");
    writeFileSync(csv, demoPriceList());
    await importPriceList(s, csv, "Supplier North");
  });

  step("inbox: lines under their orders, inline offers, the current order's detail", 60_000, async () => {
    await (await s.waitForElement(tid("nav-inbox"))).click();
    await waitFor(async () => (await s.findAll(`${tid("inline-offer")}:not([data-offer-id=""])`)).length > 0, {
      timeout: 30_000,
      message: "inline offers from the imported price list",
    });
    await s.press("j");
    await waitFor(async () => (await s.findAll(`${tid("inbox-row")}[data-cursor="true"]`)).length === 1, {
      message: "the cursor on the first line",
    });
    await s.waitForElement(tid("line-offers"), 20_000);
    await s.waitForElement(tid("order-detail"), 20_000);
    await shoot("inbox");
  });

  step("All orders: three accepted orders on their customers", 90_000, async () => {
    const headers = (await s.findAll(tid("inbox-order"))).slice(0, 3);
    const numbers = [];
    for (const h of headers) {
      numbers.push(await h.attribute("data-order-number"));
      const box = await s.find(tid("order-select"), h);
      if ((await box.property("checked")) !== true) await box.click();
    }
    await (await s.waitForElement(tid("bulk-accept"))).click();
    await (await s.waitForElement(tid("nav-orders"))).click();
    await (await s.waitForElement(tid("cabinet-stat-all"))).click();
    await waitFor(async () => (await s.findAll('[data-testid^="cabinet-row-"][role="row"]')).length >= numbers.length, {
      timeout: 30_000,
      message: `the accepted orders ${numbers.join(", ")} in All orders`,
    });
    await shoot("all-orders");
  });

  step("an order's screen", 60_000, async () => {
    const [row] = await s.findAll('[data-testid^="cabinet-row-"][role="row"]');
    await (await s.find(".cabinet-number button", row)).click();
    await s.waitForElement(tid("shop-order-number"), 20_000);
    await shoot("order");
  });

  step("accounts: each with its sync status", 30_000, async () => {
    await (await s.waitForElement(tid("nav-accounts"))).click();
    await s.waitForElement(tid("account-row"), 20_000);
    await shoot("accounts");
  });
});
