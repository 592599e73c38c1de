// End-to-end (issue 19, points 2 and 3): the real app against a fake Ozon of its own.
// Three postings arrive — one due in 150 minutes, one in three days, one with no ship-by — and the
// inbox lists them most urgent first; with "ship-by near" set to 180 minutes (the default 120 would
// not announce it) the first is announced as near; Ozon then moves its ship-by into the past and it
// is announced as overdue (no waiting for a deadline to pass: nothing hangs on the clock's pace);
// a price list imported in the app gives the second posting's
// line an inline offer (the others say "no offer"), and `a` accepts the line with it.
// Run through tests/e2e/run.sh. This file has its own database (--db) and its own fake Ozon.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { FakeOzon } from "./fake.mjs";
import {
  cursorOn,
  env,
  fill,
  importPriceList,
  keepAutostart,
  leaveNothingBehind,
  removeDatabase,
  retype,
  secret,
  startFake,
  stepper,
  tid,
} from "./common.mjs";

const WEBDRIVER = env("E2E_WEBDRIVER_URL");
const APP = env("E2E_APP");
const FAKE_BIN = env("E2E_FAKE_BIN");
const OUT = env("E2E_OUT");
const HOME = env("E2E_HOME");
const DB = join(dirname(env("E2E_DB")), "shipby.db");
const CLIENT_ID = "77001";
const API_KEY = secret("ship-by: Ozon API key", `shipby-key-${process.pid}-${Date.now()}`);

const rowsOf = (number) => `${tid("inbox-row")}[data-order-number="${number}"]`;

/** Ozon's time format (RFC 3339, UTC, milliseconds). */
const iso = (ms) => new Date(ms).toISOString();

/** The order numbers of the inbox's headers, top to bottom. */
async function headerNumbers(s) {
  const out = [];
  for (const h of await s.findAll(tid("inbox-order"))) out.push(await h.attribute("data-order-number"));
  return out;
}

/** The in-app alert naming `number` whose text matches `pattern`. */
async function toast(s, number, pattern, timeout) {
  return waitFor(
    async () => {
      for (const t of await s.findAll(tid("toast"))) {
        const text = await t.text();
        if (text.includes(number) && pattern.test(text)) return text;
      }
      return null;
    },
    { timeout, message: `an in-app alert naming ${number} matching ${pattern}` },
  );
}

describe("inline offers and ship-by end to end", { timeout: 600_000 }, () => {
  /** @type {Session} */
  let s;
  let fakeChild;
  /** @type {FakeOzon} */
  let fake;
  let fakeUrl;
  let restoreAutostart;
  /** Posting numbers: due in 150 minutes, due in three days, no ship-by. */
  let urgent;
  let later;
  let none;
  /** Sets a posting's ship-by at the fake Ozon (null: none). */
  let due;
  const step = stepper(it, "shipby-", OUT, () => s);

  before(async () => {
    restoreAutostart = keepAutostart(HOME);
    removeDatabase(DB);
    const started = startFake(FAKE_BIN, ["--client-id", CLIENT_ID], "Ozon", { apiKey: API_KEY });
    fakeChild = started.child;
    fakeUrl = await started.url;
    fake = new FakeOzon(fakeUrl);
    s = await Session.start(WEBDRIVER, APP, { timeout: 120_000, args: ["--db", DB] });
  });

  after(async () => {
    if (s) await s.deleteSession().catch(() => {});
    await leaveNothingBehind(DB);
    fakeChild?.kill();
    restoreAutostart?.();
  });

  step("connect an Ozon account; ship-by near is set to 180 minutes", 120_000, async () => {
    await (await s.waitForElement(tid("add-account"), 45_000)).click();
    await fill(s, "account-name", "Ship-by Shop");
    await fill(s, "account-client-id", CLIENT_ID);
    await fill(s, "account-api-key", API_KEY);
    await retype(s, "account-interval", "10");
    await (await s.waitForElement(tid("account-advanced"))).click();
    await fill(s, "account-base-url", fakeUrl);
    await (await s.waitForElement(tid("account-save"))).click();
    await s.waitForElement(tid("account-row"), 30_000);

    await (await s.waitForElement(tid("nav-settings"))).click();
    const minutes = await retype(s, "alert-ship-by-minutes", "180");
    await minutes.sendKeys("\uE007"); // Enter saves it
    await (await s.waitForElement(tid("nav-accounts"))).click();
    await (await s.waitForElement(tid("nav-settings"))).click();
    const saved = await s.waitForElement(tid("alert-ship-by-minutes"));
    await waitFor(async () => String(await saved.property("value")) === "180", {
      timeout: 10_000,
      message: "the 180-minute threshold to be saved",
    });
  });

  step("three postings arrive; the inbox lists the most urgent first, the one without a ship-by last", 120_000, async () => {
    const now = Date.now();
    due = async (number, at) => {
      const p = await fake.posting(number);
      if (at == null) delete p.shipment_date;
      else p.shipment_date = iso(at);
      await fake.request("POST", "/__fake/postings", p);
    };
    // Made newest-last, so that "newest first" would list them the other way round.
    none = await fake.newPosting(1);
    later = await fake.newPosting(1);
    urgent = await fake.newPosting(1);
    await due(none, null);
    await due(later, now + 3 * 24 * 3600 * 1000);
    await due(urgent, now + 150 * 60_000);

    await (await s.waitForElement(tid("nav-inbox"))).click();
    await waitFor(async () => (await s.findAll(tid("inbox-row"))).length === 3, {
      timeout: 60_000,
      message: "the three postings' lines in the inbox",
    });
    assert.deepEqual(await headerNumbers(s), [urgent, later, none]);
    const countdown = await s.find(`${tid("inbox-order")}[data-order-number="${urgent}"] ${tid("order-ship-by")}`);
    assert.match(await countdown.text(), /^in \d+ hr/);
    assert.match(await countdown.attribute("title"), /^Ship by in \d+ hr/);
    // A poll between the posting's creation and the removal of its ship-by stores the first
    // one: the next poll brings the removal.
    await waitFor(
      async () =>
        (await s.findAll(`${tid("inbox-order")}[data-order-number="${none}"] ${tid("order-ship-by")}`)).length === 0,
      { timeout: 30_000, message: "no countdown without a ship-by" },
    );
    await (await s.find(`${tid("inbox-sort")} option[value="newest"]`)).click();
    await waitFor(async () => (await headerNumbers(s))[0] === urgent, { message: "newest first" });
    await (await s.find(`${tid("inbox-sort")} option[value="ship_by"]`)).click();
    await waitFor(async () => JSON.stringify(await headerNumbers(s)) === JSON.stringify([urgent, later, none]), {
      message: "most urgent first again",
    });
    await s.screenshot(join(OUT, "inbox-ship-by.png"));
  });

  step("the urgent posting is announced as near; moved into the past by Ozon, as overdue", 180_000, async () => {
    const near = await toast(s, urgent, /must ship by/, 60_000);
    assert.match(near, /not accepted yet/);
    await due(urgent, Date.now() - 5 * 60_000);
    const overdue = await toast(s, urgent, /was to ship by/, 60_000);
    assert.match(overdue, /still not accepted/);
    const countdown = await s.find(`${tid("inbox-order")}[data-order-number="${urgent}"] ${tid("order-ship-by")}`);
    await waitFor(async () => (await countdown.attribute("data-overdue")) === "true", {
      timeout: 30_000,
      message: "the countdown to turn overdue",
    });
  });

  step("a price list imported in the app shows the later posting's line its offer; a accepts with it", 180_000, async () => {
    const [product] = (await fake.posting(later)).products;
    const price = Number(product.price.amount ?? product.price);
    const csv = join(OUT, "shipby-supplier.csv");
    writeFileSync(
      csv,
      "Brand;Article;Name;Price;Stock;Days\n" +
        `MANN-FILTER;${product.offer_id};Фильтр;${(price / 2).toFixed(2).replace(".", ",")};9;2\n`,
    );
    await importPriceList(s, csv, "Supplier S");

    await (await s.waitForElement(tid("nav-inbox"))).click();
    const offerOf = async (number) => s.find(`${rowsOf(number)} ${tid("inline-offer")}`);
    const offer = await waitFor(
      async () => {
        const el = await offerOf(later);
        return el && (await el.text()).includes("Supplier S") ? el : null;
      },
      { timeout: 30_000, message: `an inline offer for ${later}` },
    );
    assert.match(await offer.text(), /stock 9/);
    assert.match(await offer.text(), /margin 100/);
    assert.equal((await (await offerOf(urgent)).text()).trim(), "no offer");
    const offerId = await offer.attribute("data-offer-id");
    await s.screenshot(join(OUT, "inbox-inline-offer.png"));

    await cursorOn(await s.find(rowsOf(later)), `the line of ${later}`);
    await s.press("a");
    await waitFor(async () => (await s.findAll(rowsOf(later))).length === 0, {
      timeout: 30_000,
      message: `the line of ${later} to leave the inbox after 'a'`,
    });
    await (await s.waitForElement(tid("inbox-view-accepted"))).click();
    const bound = await waitFor(
      async () => {
        const rows = await s.findAll(`${rowsOf(later)} ${tid("bound-offer")}`);
        return rows.length ? rows[0] : null;
      },
      { timeout: 20_000, message: `${later} accepted with its offer` },
    );
    assert.match(await bound.text(), /Supplier S/);
    assert.ok(offerId, "the inline offer named its offer");
    await fake.waitForCall("/v4/posting/fbs/ship", later);
  });
});
