// End-to-end: the app stays usable where a manager's screen is scaled. A 1366×768 laptop at 125 % and
// 150 % gives the web view about 1093×614 and 911×512 CSS pixels; on each main screen (with demo data
// in it) nothing may stick out sideways, every sidebar entry and toolbar button must be on screen, and
// nothing is drawn over anything else, and the text keeps a readable size. Screenshots of each go to tests/e2e/out for a human look.
// Beside the demo, an Ozon account with a long Russian name brings a posting whose products have long
// Russian names (from a fake Ozon of this file's own), so the checks see the lengths real shops have.
// Run through tests/e2e/run.sh; this file has its own database (--db).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { FakeOzon } from "./fake.mjs";
import { env, fill, LAYOUT_PROBLEMS, leaveNothingBehind, removeDatabase, secret, startFake, tid } from "./common.mjs";

const WEBDRIVER = env("E2E_WEBDRIVER_URL");
const APP = env("E2E_APP");
const OUT = env("E2E_OUT");
const DB = join(dirname(env("E2E_DB")), "appearance.db");
const FAKE_BIN = env("E2E_FAKE_BIN");
const CLIENT_ID = "77002";
const API_KEY = secret("appearance: Ozon API key", `appearance-key-${process.pid}-${Date.now()}`);
/**
 * As long as the names shops really give their accounts and Ozon's sellers their products. An account's
 * name of 30 characters is the longest the header holds whole at 1200 px beside the detail pane (a
 * longer one ends in an ellipsis, the whole name in its tooltip).
 */
const LONG_ACCOUNT = "Автозапчасти Север — Петербург";
const LONG_PRODUCTS = [
  "Амортизатор задний газомасляный KYB Excel-G 343283 для Toyota Camry XV40",
  "Комплект ремня ГРМ с роликами Gates K015578XS для Hyundai Solaris, Kia Rio",
];

/** 1366×768 at each scale, less the window's frame. */
const SCALES = [
  { name: "125", width: Math.floor(1366 / 1.25), height: Math.floor(768 / 1.25) },
  { name: "150", width: Math.floor(1366 / 1.5), height: Math.floor(768 / 1.5) },
];
const SCREENS = ["nav-inbox", "nav-orders", "nav-customers", "nav-accounts", "nav-settings"];

describe("readable at 125–150 % scaling", { timeout: 300_000 }, () => {
  /** @type {Session} */
  let s;
  let fakeChild;

  before(async () => {
    removeDatabase(DB);
    const started = startFake(FAKE_BIN, ["--client-id", CLIENT_ID], "Ozon", { apiKey: API_KEY });
    fakeChild = started.child;
    const fakeUrl = await started.url;
    const fake = new FakeOzon(fakeUrl);
    // Published before the account exists, so its first sync reads the names as they are here; the
    // nearest ship-by puts it at the top of the inbox, on screen.
    // The fake numbers its postings as the demo's does: this one gets a number of its own.
    const posting = await fake.posting(await fake.newPosting(LONG_PRODUCTS.length));
    const number = "0154872391-0001-1";
    Object.assign(posting, { posting_number: number, order_number: "0154872391-0001", order_id: 39_154_872_391 });
    posting.products.forEach((p, i) => (p.name = LONG_PRODUCTS[i]));
    posting.shipment_date = new Date(Date.now() + 90 * 60_000).toISOString();
    await fake.request("POST", "/__fake/postings", posting);

    s = await Session.start(WEBDRIVER, APP, { timeout: 120_000, args: ["--db", DB] });
    // Demo data, so that the lists have rows and the cabinet has orders.
    await (await s.waitForElement(tid("try-demo"), 45_000)).click();
    await (await s.waitForElement(tid("nav-inbox"))).click();
    await waitFor(async () => (await s.findAll(tid("inbox-row"))).length > 0, {
      timeout: 90_000,
      message: "demo orders in the inbox",
    });

    await (await s.waitForElement(tid("nav-accounts"))).click();
    await (await s.waitForElement(tid("add-account"))).click();
    await fill(s, "account-name", LONG_ACCOUNT);
    await fill(s, "account-client-id", CLIENT_ID);
    await fill(s, "account-api-key", API_KEY);
    await (await s.waitForElement(tid("account-advanced"))).click();
    await fill(s, "account-base-url", fakeUrl);
    await (await s.waitForElement(tid("account-save"))).click();
    await waitFor(async () => (await s.findAll(tid("account-row"))).length === 2, {
      timeout: 30_000,
      message: "the account saved beside the demo's",
    });
    await (await s.waitForElement(tid("nav-inbox"))).click();
    await waitFor(
      async () => (await s.findAll(`${tid("inbox-row")}[data-order-number="${number}"]`)).length === LONG_PRODUCTS.length,
      { timeout: 60_000, message: `the lines of ${number} with long Russian names in the inbox` },
    ).catch(async (e) => {
      await s.screenshot(join(OUT, "failure-appearance-setup.png")).catch(() => {});
      throw e;
    });
  });

  after(async () => {
    if (s) await s.deleteSession().catch(() => {});
    await leaveNothingBehind(DB);
    fakeChild?.kill();
  });

  it("asks Linux's webview for the desktop's UI font, then sans-serif: not names a Linux desktop lacks, each a font lookup", async () => {
    const fonts = await s.executeScript(
      "return { platform: document.documentElement.dataset.platform ?? null, body: getComputedStyle(document.body).fontFamily, button: getComputedStyle(document.querySelector('button')).fontFamily };",
    );
    assert.deepEqual(fonts, { platform: "linux", body: "system-ui, sans-serif", button: "system-ui, sans-serif" });
  });

  it("keeps to one type scale on every screen, figures tabular: each other size, weight or figure style is a font lookup of its own", async () => {
    // Every element with text of its own, as laid out: its size, weight, family and figures.
    const FONTS = `
      const fonts = {};
      for (const el of document.querySelectorAll("body *")) {
        if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        const cs = getComputedStyle(el);
        fonts[[cs.fontSize, cs.fontWeight, cs.fontFamily, cs.fontVariantNumeric].join(" ")] ??= el.tagName + "." + el.className;
      }
      return fonts;`;
    const used = {};
    for (const nav of [...SCREENS, "nav-pricelists", "nav-catalog"]) {
      await (await s.waitForElement(tid(nav))).click();
      await new Promise((r) => setTimeout(r, 700));
      Object.assign(used, await s.executeScript(FONTS));
      if (nav === "nav-inbox") {
        // The detail pane, with the line's offers and its order, where the cursor rests.
        await s.press("j");
        await s.waitForElement(`${tid("inbox-detail")} h2`);
        Object.assign(used, await s.executeScript(FONTS));
      }
    }
    // The page's own font, its headings' and its bold: what the screens above cannot lack.
    for (const font of ["14px 400", "18px 600", "14px 600"]) {
      assert.ok(`${font} system-ui, sans-serif tabular-nums` in used, `${font} among the fonts seen: ${Object.keys(used)}`);
    }
    const outside = Object.entries(used).filter(([font, where]) => {
      const [size, weight, ...rest] = font.split(" ");
      const figures = rest.pop();
      // Logs and code keep the browser's monospace, at the scale's sizes.
      const family = /^(PRE|CODE)\./.test(where) ? "monospace" : "system-ui, sans-serif";
      return (
        !["12px", "13px", "14px", "16px", "18px"].includes(size) ||
        !["400", "600"].includes(weight) ||
        rest.join(" ") !== family ||
        figures !== "tabular-nums"
      );
    });
    assert.deepEqual(outside, [], `fonts outside the scale: ${JSON.stringify(outside)}`);
  });

  for (const scale of SCALES) {
    it(`at ${scale.name} %: no screen scrolls sideways, every control is on screen, text stays readable`, async (t) => {
      await s.cmd("POST", "/window/rect", { width: scale.width, height: scale.height });
      const found = [];
      for (const nav of SCREENS) {
        await (await s.waitForElement(tid(nav))).click();
        await new Promise((r) => setTimeout(r, 700));
        const seen = await s.executeScript(LAYOUT_PROBLEMS);
        // The window manager may keep the window a little larger than asked; never smaller than the scale's.
        assert.ok(seen.width <= scale.width + 40, `the web view is ${seen.width} px wide, asked for ${scale.width}`);
        await s.screenshot(join(OUT, `scale-${scale.name}-${nav.slice(4)}.png`));
        for (const p of seen.problems) found.push(`${nav}: ${p}`);
        assert.ok(seen.smallest >= 11, `${nav}: the smallest text is ${seen.smallest} px`);
        t.diagnostic(`${nav}: ${seen.width}×${seen.height}, smallest text ${seen.smallest} px`);
      }
      assert.deepEqual(found, []);
    });
  }

  // What a manager decides from must be readable in the row itself: the full order number, the
  // account, the product name (up to two lines), the quantity and the price.
  const CUT_CELLS = `
    const cut = [];
    // A container (a whole row) is measured by its scroll size only: its children have their own checks.
    const check = (selector, what, twoLines, container) => {
      for (const el of document.querySelectorAll(selector)) {
        const box = el.getBoundingClientRect();
        if (box.height === 0 || box.bottom < 0 || box.top > innerHeight) continue;
        // scrollWidth is rounded to whole pixels; an ellipsis shows for a fraction of one too, so a
        // one-line cell's text is measured against its box unrounded.
        const text = document.createRange();
        text.selectNodeContents(el);
        const sideways =
          el.scrollWidth > el.clientWidth + 1 ||
          (!twoLines && !container && text.getBoundingClientRect().width > box.width + 0.05);
        const below = twoLines && el.scrollHeight > el.clientHeight + 1;
        if (sideways || below) cut.push(what + " «" + el.textContent.trim().slice(0, 60) + "»");
      }
    };
    check("[data-testid=inbox-order-number]", "order number", false);
    check(".inbox-order .account-name", "account", false);
    check("[data-testid=inbox-row] .product-name", "product name", true);
    check("[data-testid=inbox-row] .col-qty", "quantity", false);
    check("[data-testid=inbox-row] .col-price", "price", false);
    // Cells that cannot shrink would push out of their row instead: the rows must hold them.
    check("[data-testid=inbox-order]", "order header", false, true);
    check("[data-testid=inbox-row]", "line row", false, true);
    return { cut, rows: document.querySelectorAll("[data-testid=inbox-row]").length };`;

  for (const size of [
    { name: "100", width: 1200, height: 768 },
    { name: "125", width: Math.floor(1366 / 1.25), height: Math.floor(768 / 1.25) },
  ]) {
    it(`at ${size.name} %, in English and Russian, the inbox cuts no number, name, quantity, price or account`, async () => {
      await s.cmd("POST", "/window/rect", { width: size.width, height: size.height });
      const found = [];
      for (const lang of ["en", "ru"]) {
        await (await s.find(`${tid("lang-switch")} option[value="${lang}"]`)).click();
        await (await s.waitForElement(tid("nav-inbox"))).click();
        const seen = await waitFor(
          async () => ((v) => (v.rows > 0 ? v : null))(await s.executeScript(CUT_CELLS)),
          { timeout: 20_000, message: "inbox rows to measure" },
        );
        for (const c of seen.cut) found.push(`${lang}: ${c}`);
        await s.screenshot(join(OUT, `inbox-${size.name}-${lang}.png`));
      }
      await (await s.find(`${tid("lang-switch")} option[value="en"]`)).click();
      assert.deepEqual(found, []);
    });
  }
});
