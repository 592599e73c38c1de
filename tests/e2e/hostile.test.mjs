// End-to-end: hostile text from the marketplace is shown inert in the real web view. A fake Ozon
// publishes postings whose product names, offer ids, buyers, phones, addresses and delivery method
// hold HTML that would run script if it were ever parsed (`<img onerror>`, `<svg onload>`,
// `<script>`, `javascript:` links and frames), right-to-left overrides, zero-width characters and a
// 10 KB name without a break; the account's own name, typed by the manager, holds markup too. In the
// inbox, the marketplace order's screen, All orders and the shop order's screen: the literal text is
// there as text, no element of the injected kinds exists, nothing ran (a global the payloads would
// set, the window title they would change), and the layout holds (no sideways scrolling, every
// toolbar and sidebar control on screen). Screenshots of each screen go to tests/e2e/out.
// Run through tests/e2e/run.sh. This file has its own database (--db) and its own fake Ozon.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { FakeOzon } from "./fake.mjs";
import {
  clickAt,
  connectOzon,
  cursorOn,
  env,
  keepAutostart,
  LAYOUT_PROBLEMS,
  leaveNothingBehind,
  removeDatabase,
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
const DB = join(dirname(env("E2E_DB")), "hostile.db");
const CLIENT_ID = "616161";
const API_KEY = secret("hostile: Ozon Api-Key", `hostile-${process.pid}-${Date.now()}`);

/** What every payload would do if it ran: count in a global and change the window's title. */
const RUN = "window.__hostileRan=(window.__hostileRan||0)+1;document.title='PWNED'";
const IMG = `<img src=x onerror="${RUN}">`;
const SVG = `<svg onload="${RUN}"><circle r=1></circle></svg>`;
const SCRIPT = `<script>${RUN}</script>`;
const LINK = `<a href="javascript:${RUN}">open</a>`;
const FRAME = `<iframe src="javascript:${RUN}"></iframe>`;
/** Right-to-left override: "Filter exe.gnp" reads as "Filter png.exe" if shown with its effect. */
const RLO = "Фильтр \u202Eexe.gnp\u202C масляный";
/** An override never closed: shown beside other text, it must not turn that text around. */
const OPEN_RLO = "Иван \u202Eздесь";
const PHONE = "+79161234567";
/** Zero-width space, non-joiner, joiner and no-break space inside a word. */
const ZERO_WIDTH = "Mas\u200Bter\u200Cfil\u200Dter\uFEFF";
/** 10 KB of one wide letter: no place to break a line. */
const LONG = "W".repeat(10 * 1024);

const ACCOUNT = `${IMG} Hostile shop`;
const MARKUP = {
  product: `${IMG}${SCRIPT} фильтр`,
  offer: `javascript:${RUN}`,
  buyer: `${SVG}${FRAME} ${OPEN_RLO}`,
  phone: PHONE,
  email: RLO,
  address: `${LINK} ${SCRIPT}`,
  delivery: `${IMG} доставка`,
};
const LONG_POSTING = { product: LONG, second: `${ZERO_WIDTH} ${RLO}`, buyer: LONG, address: ZERO_WIDTH };
/** The elements the payloads would create if parsed; none of them belongs in the app's UI. */
const INJECTED = "img[src='x'], [onerror], [onload], script:not([src]), iframe, a[href^='javascript' i]";

/**
 * What long text can break beyond LAYOUT_PROBLEMS: a pane inside the window that scrolls sideways
 * (the window itself does not, but a 10 KB word widens a table), and a control pushed out of it.
 * All orders' table is the one pane that scrolls sideways by design (its rows are at least 1100 px
 * wide, every cell cut with an ellipsis, so no text can widen it).
 */
const SIDEWAYS = `
  const byDesign = "[data-testid=cabinet-table]";
  const vw = document.documentElement.clientWidth;
  const label = (el) => (el.getAttribute("data-testid") || el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ")[0] : "")) + " «" + (el.textContent || "").trim().slice(0, 30) + "»";
  const problems = [];
  for (const el of document.querySelectorAll("main, main *")) {
    const x = getComputedStyle(el).overflowX;
    if ((x === "auto" || x === "scroll") && el.scrollWidth > el.clientWidth + 1 && !el.matches(byDesign)) {
      // The innermost element wider than the pane is what widens it.
      const wide = [...el.querySelectorAll("*")]
        .filter((c) => Math.max(c.getBoundingClientRect().width, c.scrollWidth) > el.clientWidth + 1)
        .pop();
      problems.push(label(el) + " scrolls sideways: " + el.scrollWidth + " > " + el.clientWidth + (wide ? ", widened by " + label(wide) : ""));
    }
  }
  for (const el of document.querySelectorAll("main button, main input, main select, main a, main textarea")) {
    const r = el.getBoundingClientRect();
    if ((r.width === 0 && r.height === 0) || el.closest(byDesign)) continue;
    if (r.left < -1 || r.right > vw + 1) problems.push(label(el) + " is outside the window (" + Math.round(r.left) + ".." + Math.round(r.right) + " of " + vw + ")");
  }
  // A short word broken inside: its cell squeezed to letters by a long neighbour.
  for (const el of document.querySelectorAll("main td, main th, main .state, main .badge")) {
    const word = el.textContent.trim();
    if (!word || word.length > 20 || /\s/.test(word) || !el.getClientRects().length) continue;
    // The lines its text (not its boxes) is laid out on.
    const lines = new Set();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) if (r.width > 0) lines.add(Math.round(r.top));
    }
    // Wrapping at a hyphen is fair (an article squeezed by a long name); inside a piece it is not.
    if (lines.size > word.split(/[-/]/).length) problems.push(label(el) + " is squeezed over " + lines.size + " lines");
  }
  return problems;
`;

/**
 * What the page shows and runs: which of `texts` are in its text, the injected elements, the marker
 * global, the title, and LAYOUT_PROBLEMS' findings.
 */
async function inspect(s, texts) {
  return s.executeScript(
    `const texts = arguments[0];
     const layout = (() => { ${LAYOUT_PROBLEMS} })();
     const sideways = (() => { ${SIDEWAYS} })();
     const text = document.body.textContent;
     const injected = [...document.querySelectorAll(${JSON.stringify(INJECTED)})].map((el) => el.outerHTML.slice(0, 120));
     return {
       missing: texts.filter((t) => !text.includes(t)).map((t) => t.slice(0, 60) + (t.length > 60 ? "… (" + t.length + " chars)" : "")),
       injected,
       ran: window.__hostileRan ?? null,
       title: document.title,
       problems: [...layout.problems, ...sideways],
       width: layout.width,
     };`,
    [texts],
  );
}

/** Asserts that `texts` are shown as text, nothing injected ran or exists, and the layout holds. */
async function assertInert(s, screen, texts) {
  const seen = await inspect(s, texts);
  await s.screenshot(join(OUT, `hostile-${screen}.png`));
  assert.deepEqual(seen.missing, [], `${screen}: hostile text not shown literally`);
  assert.deepEqual(seen.injected, [], `${screen}: elements of the injected kinds in the page`);
  assert.equal(seen.ran, null, `${screen}: a payload ran`);
  assert.doesNotMatch(seen.title, /PWNED/, `${screen}: the window title was changed`);
  assert.match(seen.title, /Ordertray/, `${screen}: the window title`);
  assert.deepEqual(seen.problems, [], `${screen}: layout problems (window ${seen.width} px wide)`);
}

/**
 * Whether `arguments[0]` is drawn left to right where the page shows it (its first character left
 * of its last); null when the page does not show it.
 */
const READS_LEFT_TO_RIGHT = `
  const needle = arguments[0];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const at = n.data.indexOf(needle);
    if (at < 0) continue;
    const x = (i) => {
      const r = document.createRange();
      r.setStart(n, i);
      r.setEnd(n, i + 1);
      return r.getBoundingClientRect().left;
    };
    return x(at) < x(at + needle.length - 1);
  }
  return null;
`;

const rowsOf = (number) => `${tid("inbox-row")}[data-order-number="${number}"]`;

describe("hostile text is shown inert", { timeout: 600_000 }, () => {
  /** @type {Session} */
  let s;
  let fakeChild;
  /** @type {FakeOzon} */
  let fake;
  let fakeUrl;
  let restoreAutostart;
  /** Posting numbers: markup in every field, and the long / zero-width one. */
  const numbers = { markup: "88000100-0001-1", long: "88000200-0002-1" };
  const step = stepper(it, "hostile-", OUT, () => s);

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

  step("connect an account named with markup to this file's fake Ozon", 90_000, async () => {
    await connectOzon(s, { name: ACCOUNT, clientId: CLIENT_ID, apiKey: API_KEY, interval: 10, url: fakeUrl });
    await assertInert(s, "accounts", [ACCOUNT]);
  });

  step("postings with hostile text reach the inbox, shown as text", 150_000, async () => {
    // The fake makes a posting; the hostile ones are copies of it with their own numbers and text.
    const template = await fake.posting(await fake.newPosting(1));
    const [product] = template.products;
    const copy = (number, k, products, customer, delivery) => ({
      ...template,
      posting_number: number,
      order_number: number.slice(0, -2),
      order_id: 88_000_000_000 + k,
      in_process_at: new Date().toISOString(),
      // realFBS: the seller delivers, so Ozon gives the buyer's phone and address (shown on the order).
      tpl_integration_type: "non_integrated",
      products,
      customer,
      delivery_method: { ...template.delivery_method, name: delivery ?? template.delivery_method.name },
    });
    await fake.request(
      "POST",
      "/__fake/postings",
      copy(
        numbers.markup,
        1,
        [{ ...product, sku: product.sku + 100, offer_id: MARKUP.offer, name: MARKUP.product }],
        {
          name: MARKUP.buyer,
          phone: MARKUP.phone,
          customer_email: MARKUP.email,
          address: { city: SCRIPT, address_tail: MARKUP.address },
        },
        MARKUP.delivery,
      ),
    );
    await fake.request(
      "POST",
      "/__fake/postings",
      copy(
        numbers.long,
        2,
        [
          { ...product, sku: product.sku + 200, offer_id: `${product.offer_id}-long`, name: LONG_POSTING.product },
          { ...product, sku: product.sku + 201, offer_id: `${product.offer_id}-zw`, name: LONG_POSTING.second },
        ],
        { name: LONG_POSTING.buyer, phone: "+79160000000", address: { city: "Москва", address_tail: LONG_POSTING.address } },
      ),
    );
    const syncNow = await s.findAll(tid("account-sync-now"));
    if (syncNow.length) await syncNow[0].click();
    await (await s.waitForElement(tid("nav-inbox"))).click();
    await waitFor(
      async () =>
        (await s.findAll(rowsOf(numbers.markup))).length === 1 && (await s.findAll(rowsOf(numbers.long))).length === 2,
      { timeout: 60_000, message: "the hostile postings' rows in the inbox" },
    );
    await assertInert(s, "inbox", [ACCOUNT, MARKUP.product, MARKUP.offer, LONG_POSTING.product, LONG_POSTING.second]);
  });

  // Before it is accepted, the order names its buyer only; phone and address show on the shop order.
  step("the marketplace order's screen shows the buyer and the products as text", 60_000, async () => {
    for (const [number, texts] of [
      [numbers.markup, [MARKUP.product, MARKUP.offer, MARKUP.buyer]],
      [numbers.long, [LONG_POSTING.product, LONG_POSTING.second, LONG_POSTING.buyer]],
    ]) {
      const [row] = await s.findAll(rowsOf(number));
      await cursorOn(row, `the row of ${number}`);
      await s.press("\uE007"); // Enter opens the order of the line under the cursor
      await waitFor(
        async () => {
          const els = await s.findAll(`${tid("order-detail")} ${tid("order-number")}`);
          return els.length && (await els[0].text()).trim() === number;
        },
        { timeout: 20_000, message: `the order screen of ${number}` },
      );
      await waitFor(async () => (await s.findAll(tid("order-line"))).length > 0, { message: "the order's lines" });
      await assertInert(s, `order-${number === numbers.markup ? "markup" : "long"}`, texts);
      await (await s.waitForElement(tid("nav-inbox"))).click();
      await s.waitForElement(rowsOf(number));
    }
  });

  step("accepted, they show as text in All orders and on the shop order's screen", 120_000, async () => {
    for (const number of Object.values(numbers)) {
      for (const row of await s.findAll(rowsOf(number))) {
        const box = await s.find(tid("row-select"), row);
        if ((await box.property("checked")) !== true) await box.click();
      }
    }
    await (await s.waitForElement(tid("bulk-accept"))).click();
    await waitFor(
      async () => {
        for (const number of Object.values(numbers)) if ((await s.findAll(rowsOf(number))).length) return false;
        return true;
      },
      { timeout: 30_000, message: "the hostile rows to leave the inbox after Accept" },
    );
    await (await s.waitForElement(tid("nav-orders"))).click();
    await s.waitForElement(tid("cabinet"));
    await (await s.waitForElement(tid("cabinet-stat-all"))).click();
    const rows = `[role="row"][data-testid^="cabinet-row-"]`;
    await waitFor(async () => (await s.findAll(rows)).length === 2, {
      timeout: 30_000,
      message: "the two accepted orders in All orders",
    });
    await assertInert(s, "all-orders", [ACCOUNT, MARKUP.buyer, MARKUP.phone, LONG_POSTING.buyer]);

    // The shop order with the 10 KB buyer, and the one with markup everywhere.
    for (const [name, texts] of [
      ["long", [LONG_POSTING.buyer, LONG_POSTING.address, LONG_POSTING.product, LONG_POSTING.second]],
      ["markup", [MARKUP.buyer, MARKUP.phone, MARKUP.email, MARKUP.address, MARKUP.product]],
    ]) {
      const buyer = name === "long" ? LONG_POSTING.buyer : MARKUP.buyer;
      const testId = await s.executeScript(
        `return [...document.querySelectorAll(arguments[1])]
           .find((r) => r.querySelector(".cabinet-recipient span").textContent.trim() === arguments[0].trim())
           ?.dataset.testid ?? null`,
        [buyer, rows],
      );
      assert.ok(testId, `no All-orders row shows the ${name} buyer`);
      await (await s.find(`${tid(testId)} .cabinet-number button`)).click();
      await s.waitForElement(tid("shop-order-number"), 20_000);
      await assertInert(s, `shop-order-${name}`, texts);
      if (name === "markup") {
        // The marketplace order names its buyer, phone, e-mail and address on one line.
        await (await s.waitForElement(tid("shop-order-marketplace-link"))).click();
        await s.waitForElement(tid("order-detail"), 20_000);
        await waitFor(async () => (await s.executeScript(READS_LEFT_TO_RIGHT, [PHONE])) !== null, {
          message: "the buyer's phone on the marketplace order's screen",
        });
        await assertInert(s, "order-markup-accepted", [MARKUP.buyer, MARKUP.phone, MARKUP.address]);
        assert.equal(
          await s.executeScript(READS_LEFT_TO_RIGHT, [PHONE]),
          true,
          "the buyer's unclosed right-to-left override turns the phone after it around",
        );
        await (await s.find(`${tid("order-detail")} > button.link`)).click(); // back to the shop order
        await s.waitForElement(tid("shop-order-number"), 20_000);
      }
      await (await s.waitForElement(tid("shop-order-back"))).click();
      await waitFor(async () => (await s.findAll(rows)).length === 2, { message: "All orders again" });
    }
  });

  // The secrets scan after the run (secrets-scan.mjs) reads every file the run left: a backup too.
  step("a backup of this database is taken, for the secrets scan to read", 60_000, async () => {
    await (await s.waitForElement(tid("nav-settings"))).click();
    // Sections load their data one by one and grow, moving what is below them: the click waits
    // until the ones above the button (and the backup list it counts) have theirs.
    await s.waitForElement(tid("intake-state"), 30_000);
    await s.waitForElement(tid("database-size"), 30_000);
    const before = (await s.findAll(tid("backup-row"))).length;
    await clickAt(s, tid("database-backup-now"));
    await waitFor(async () => (await s.findAll(tid("backup-row"))).length > before, {
      timeout: 30_000,
      message: "a new backup in Settings",
    });
  });
});
