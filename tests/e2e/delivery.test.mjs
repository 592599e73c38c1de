// End-to-end: delivery methods in the real app. The manager adds a method in Settings → Delivery
// (a fixed price, a term, an order type, a code for Shiptor), the New-order form offers it with its
// cost and term and lets it set the order's type, the built-in post refuses card on delivery and
// asks for a postal code; the money follows the form's rules (awaiting payment, cash on delivery
// from the payment method, a typed amount, a declared value that follows); the saved order shows
// the method, its cost, the type and the amount collected on delivery. Then a pre-order: with the
// order intake on at a public address, its buyer opens the link (a real HTTP request to the app's
// page), fills the form, and the order turns New with the usual popup; the link then stops working.
// Run through tests/e2e/run.sh. This file has its own database (--db) in demo mode, so it neither
// sees nor leaves anything the other files count on.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import {
  clickAt,
  env,
  fill,
  freePort,
  leaveNothingBehind,
  notifyCalls,
  pick,
  removeDatabase,
  retype,
  stepper,
  tid,
} from "./common.mjs";

const WEBDRIVER = env("E2E_WEBDRIVER_URL");
const APP = env("E2E_APP");
const OUT = env("E2E_OUT");
const DB = join(dirname(env("E2E_DB")), "delivery.db");
const NOTIFY_LOG = env("E2E_NOTIFY_LOG");
/** The CLI built beside the app (cargo test builds it): prints a pre-order's buyer link. */
const CLI = join(dirname(APP), "ordertray-cli");

/** The text of the element `id`, trimmed (whitespace as shown: non-breaking spaces count as spaces). */
async function textOf(s, id) {
  return (await (await s.waitForElement(tid(id))).text()).replace(/\s+/g, " ").trim();
}

describe("delivery methods end to end", { timeout: 420_000 }, () => {
  /** @type {Session} */
  let s;
  const step = stepper(it, "delivery-", OUT, () => s);

  before(async () => {
    removeDatabase(DB);
    s = await Session.start(WEBDRIVER, APP, { timeout: 120_000, args: ["--db", DB] });
  });

  after(async () => {
    if (s) await s.deleteSession().catch(() => {});
    await leaveNothingBehind(DB);
  });

  step("Settings → Delivery: add a courier at a fixed 500 within 3 days that makes direct-delivery orders", 120_000, async () => {
    await (await s.waitForElement(tid("try-demo"), 45_000)).click();
    await (await s.waitForElement(tid("nav-settings"))).click();
    await clickAt(s, tid("delivery-add"));
    await fill(s, "delivery-name", "CDEK courier");
    await fill(s, "delivery-carrier", "CDEK");
    await fill(s, "delivery-base", "500");
    await fill(s, "delivery-term", "3");
    await pick(s, "delivery-order-type", "through");
    await clickAt(s, ".delivery-codes summary");
    await fill(s, "delivery-code-shiptor", "cdek-courier");
    await s.screenshot(join(OUT, "delivery-settings.png"));
    await clickAt(s, tid("delivery-save"));
    const saved = `${tid("delivery-method")}[data-method-id="cdek_courier"]`;
    await waitFor(async () => (await s.findAll(saved)).length === 1, {
      timeout: 20_000,
      message: "the new method saved with the id the engine gave it",
    });
    const summary = (await (await s.find(`${saved} ${tid("delivery-method-summary")}`)).text()).replace(/\s+/g, " ");
    assert.match(summary, /^Courier · CDEK · RUB 500\.00 · up to 3 days$/);
    assert.equal((await s.findAll(tid("delivery-unsaved"))).length, 0, "nothing left unsaved");
  });

  step("the New-order form offers it with cost and term; the post's rules show as problems", 120_000, async () => {
    await (await s.waitForElement(tid("nav-orders"))).click();
    await clickAt(s, tid("new-order"));
    await fill(s, "order-recipient-name", "Попова Мария");
    await fill(s, "order-recipient-phone", "+79001234567");
    await fill(s, "order-address-city", "Казань");
    await fill(s, "order-address-street", "ул. Баумана");
    await fill(s, "order-address-house", "1");
    await fill(s, "order-address-flat", "5");
    await clickAt(s, tid("order-add-item"));
    await fill(s, "item-0-name", "Масляный фильтр");
    await fill(s, "item-0-quantity", "2");
    await fill(s, "item-0-price", "1000");
    await fill(s, "item-0-weight_g", "700");

    // 1.4 kg: the courier's tariff counts two started kilograms, the new method does not.
    const option = (id) => `${tid("order-delivery-method")} option[value="${id}"]`;
    await waitFor(async () => /— RUB 500\.00, up to 3 days$/.test((await (await s.find(option("cdek_courier"))).text()).trim()), {
      timeout: 20_000,
      message: "CDEK courier offered with its cost and term",
    });
    assert.match((await (await s.find(option("courier"))).text()).trim(), /^Курьер — RUB 450\.00, up to 2 days$/);

    await pick(s, "order-delivery-method", "post");
    await pick(s, "order-payment-method", "card_on_delivery");
    await waitFor(
      async () => {
        const problems = await textOf(s, "order-problems");
        return problems.includes("«Почта России» takes no card payment on delivery") && problems.includes("«Почта России» needs the recipient's postal code");
      },
      { timeout: 20_000, message: "the post's two problems listed" },
    );
    assert.equal(await (await s.find(tid("order-save"))).property("disabled"), true, "no saving with problems");
    await s.screenshot(join(OUT, "delivery-post-problems.png"));
  });

  step("with the new method the order is saved as a direct delivery at 500, cash on delivery of a typed amount", 120_000, async () => {
    // Paid online and not yet paid: the form says the shop waits for the money.
    await pick(s, "order-payment-method", "card_online");
    await s.waitForElement(tid("order-awaiting-payment"));
    assert.equal(await (await s.find(tid("order-cod"))).property("checked"), false);
    // Paying on delivery is cash on delivery.
    await pick(s, "order-payment-method", "cash_on_delivery");
    assert.equal((await s.findAll(tid("order-awaiting-payment"))).length, 0);
    assert.equal(await (await s.find(tid("order-cod"))).property("checked"), true, "cash on delivery follows the payment method");
    await pick(s, "order-delivery-method", "cdek_courier");
    await waitFor(async () => (await (await s.find(tid("order-delivery-cost"))).property("value")) === "500", {
      timeout: 20_000,
      message: "the delivery cost from the method's fixed price",
    });
    const type = await s.find(tid("order-type"));
    assert.equal(await type.property("value"), "through", "the method sets the type");
    assert.equal(await type.property("disabled"), true, "and the type cannot be chosen against it");
    // The declared value follows the items and covers what the courier collects: items 2000 + delivery 500.
    const declared = async () => (await s.find(tid("order-declared-value"))).property("value");
    await waitFor(async () => (await declared()) === "2500.00", { timeout: 20_000, message: "the declared value 2500.00" });
    // The courier collects less than the total: the declared value goes back to the items' 2000.
    await fill(s, "order-cod-amount", "2000");
    await waitFor(async () => (await declared()) === "2000.00", { timeout: 20_000, message: "the declared value 2000.00" });
    const save = await s.find(tid("order-save"));
    await waitFor(async () => (await save.property("disabled")) === false, {
      timeout: 20_000,
      message: "Save enabled once the problems are gone",
    }).catch(async (e) => {
      const problems = await s.findAll(tid("order-problems"));
      throw new Error(`${e.message}; problems: ${problems.length ? await problems[0].text() : "none"}`);
    });
    await clickAt(s, tid("order-save"));
    await waitFor(async () => (await s.findAll(tid("shop-order-number"))).length === 1, {
      timeout: 20_000,
      message: "the saved order's screen",
    });
    assert.equal(await textOf(s, "shop-order-delivery-method"), "CDEK courier");
    assert.match(await textOf(s, "shop-order-delivery-cost"), /^RUB 500\.00$/);
    assert.equal(await textOf(s, "shop-order-type"), "Direct delivery");
    assert.match(await textOf(s, "shop-order-cod"), /^RUB 2,000\.00$/);
    assert.equal(await textOf(s, "shop-order-address"), "Казань, ул. Баумана, д. 1, кв. 5", "the address from its fields");
    await s.screenshot(join(OUT, "delivery-order.png"));
  });

  step("a pre-order completed by its buyer through the link turns New with the usual popup", 180_000, async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    await (await s.waitForElement(tid("nav-settings"))).click();
    await (await s.waitForElement(tid("intake-enabled"), 30_000)).click();
    await pick(s, "intake-bind", "127.0.0.1");
    await retype(s, "intake-port", String(port));
    await retype(s, "intake-public-url", publicUrl);
    await clickAt(s, tid("intake-save"));
    await waitFor(async () => (await (await s.find(tid("intake-state"))).attribute("data-listening")) === `127.0.0.1:${port}`, {
      timeout: 20_000,
      message: "the intake listening",
    });

    await (await s.waitForElement(tid("nav-orders"))).click();
    await clickAt(s, tid("new-order"));
    const number = (await (await s.waitForElement(tid("order-number-input"))).property("value")).trim();
    await clickAt(s, tid("order-add-item"));
    await fill(s, "item-0-name", "Щётка стеклоочистителя");
    await fill(s, "item-0-price", "450");
    await pick(s, "order-delivery-method", "courier");
    const preorder = await s.find(tid("order-save-preorder"));
    await waitFor(async () => (await preorder.property("disabled")) === false, { timeout: 20_000, message: "Save as pre-order enabled" });
    await clickAt(s, tid("order-save-preorder"));
    await waitFor(async () => (await textOf(s, "shop-order-number")) === number, { timeout: 20_000, message: "the pre-order's screen" });
    assert.equal(await textOf(s, "shop-order-edit"), "Complete the order");

    // The copy button: the link goes to the clipboard (read back from the X display), the screen
    // says how long it works and never shows the link.
    await clickAt(s, tid("buyer-link-copy"));
    assert.match(await textOf(s, "buyer-link-copied"), /Copying again makes a new link/);
    const page = await (await s.find("body")).text();
    assert.ok(!page.includes("/preorder/"), "the link is not on the screen");
    await s.screenshot(join(OUT, "preorder-link-copied.png"));
    const link = execFileSync("xclip", ["-o", "-selection", "clipboard"], { encoding: "utf8" }).trim();
    assert.ok(link.startsWith(`${publicUrl}/preorder/`), `the clipboard holds ${JSON.stringify(link)}`);
    // The CLI makes a link for the same order too; the one copied above then stops working.
    const fromCli = execFileSync(CLI, ["--db", DB, "orders", "preorder-link", number], { encoding: "utf8" }).trim();
    assert.ok(fromCli.startsWith(`${publicUrl}/preorder/`), fromCli);
    assert.equal((await fetch(link)).status, 410, "the copied link ended by the new one");

    // The buyer opens the new link: a real HTTP request to the page the app serves.
    const form = await fetch(fromCli);
    assert.equal(form.status, 200);
    assert.match(await form.text(), /Щётка стеклоочистителя/);
    const popupsBefore = notifyCalls(NOTIFY_LOG).length;
    const answer = await fetch(fromCli, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        name: "Ковалёв Игорь",
        phone: "+79007654321",
        city: "Самара",
        street: "ул. Ленинградская",
        house: "10",
        payment_method: "cash_on_delivery",
      }).toString(),
    });
    assert.equal(answer.status, 200, await answer.text());

    // The app: the order is New now, with the buyer's details, and a popup said so.
    await waitFor(async () => (await textOf(s, "shop-order-edit")) === "Edit", { timeout: 20_000, message: "the order no longer a pre-order" });
    const status = await (await s.find(`${tid("shop-order-status")} option:checked`)).text();
    assert.equal(status.trim(), "Accepted", "the first status of the new group");
    assert.equal(await textOf(s, "shop-order-address"), "Самара, ул. Ленинградская, д. 10");
    // The usual new-order popup: on its own, or (the demo adds orders all the time) among the new
    // orders of the burst it joined, shown when the burst's minute is over.
    await waitFor(() => notifyCalls(NOTIFY_LOG).length > popupsBefore, { timeout: 90_000, message: "a popup after the pre-order was completed" });
    const popup = notifyCalls(NOTIFY_LOG).at(-1);
    assert.ok(popup.includes(number) || /new orders/.test(popup), popup);
    assert.equal((await fetch(fromCli)).status, 410, "the link stopped working");
    await s.screenshot(join(OUT, "preorder-completed.png"));
  });
});
