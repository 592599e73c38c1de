// End-to-end: an inbox longer than a page in the real app. 450 postings arrive from this file's fake
// Ozon; the inbox shows the first 200 lines, and holding j through the list brings the rest page by
// page, each line once (a line read twice would put the cursor on two rows at once); a search typed
// after / narrows the inbox to the lines it finds, in either case, and Escape brings them all back;
// a 120-line order beside its line shows its first 20 lines and the rest on asking.
// Run through tests/e2e/run.sh. Own database (--db) and own fake Ozon, like cabinet.test.mjs.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { FakeOzon } from "./fake.mjs";
import { connectOzon, env, keepAutostart, leaveNothingBehind, removeDatabase, secret, startFake, stepper, tid } from "./common.mjs";

const WEBDRIVER = env("E2E_WEBDRIVER_URL");
const APP = env("E2E_APP");
const FAKE_BIN = env("E2E_FAKE_BIN");
const OUT = env("E2E_OUT");
const HOME = env("E2E_HOME");
const DB = join(dirname(env("E2E_DB")), "inbox-pages.db");
const CLIENT_ID = "626262";
const API_KEY = secret("inbox pages: Ozon Api-Key", `pages-${process.pid}-${Date.now()}`);
/** More than two of the inbox's pages of 200 lines (INBOX_PAGE in ui/src/queries.ts). */
const POSTINGS = 450;

const selectAll = (s) => s.find(`${tid("inbox-toolbar")} input[type=checkbox]`);
const toolbarText = async (s) => (await (await s.find(`${tid("inbox-toolbar")} label`)).text()).trim();
/**
 * What the toolbar says with every line selected. Esc clears the selection before and after: two
 * clicks of Select all would leave it selected for good if lines arrived between them (the second
 * click then selects the new ones instead of clearing), and every later count would read "Select all".
 */
async function selectedCount(s) {
  await s.press("\uE00C");
  await (await selectAll(s)).click();
  const said = await toolbarText(s);
  await s.press("\uE00C");
  return said;
}
/** Whether the rows in sight (the list draws no others) are all lines of `product`. */
async function onlyRowsOf(s, product) {
  const names = await s.executeScript("return [...document.querySelectorAll('[data-testid=inbox-row]')].map((r) => r.textContent);");
  return names.length > 0 && names.every((n) => n.includes(product));
}
const cursorRows = (s) => s.executeScript("return document.querySelectorAll('[data-cursor=true]').length;");

/** Holds j for `times` presses (as fast as the keyboard's actions go). */
async function holdJ(s, times) {
  const actions = [];
  for (let i = 0; i < times; i++) actions.push({ type: "keyDown", value: "j" }, { type: "keyUp", value: "j" });
  await s.cmd("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] }, 120_000);
  await s.cmd("DELETE", "/actions");
}

describe("the inbox reads a long backlog page by page", { timeout: 600_000 }, () => {
  /** @type {Session} */
  let s;
  let fakeChild;
  /** @type {FakeOzon} */
  let fake;
  let restoreAutostart;
  const step = stepper(it, "inbox-pages-", OUT, () => s);

  before(async () => {
    restoreAutostart = keepAutostart(HOME);
    removeDatabase(DB);
    const started = startFake(FAKE_BIN, ["--client-id", CLIENT_ID], "Ozon", { apiKey: API_KEY });
    fakeChild = started.child;
    fake = new FakeOzon(await started.url);
    await fake.request("POST", "/__fake/postings", { generate: POSTINGS, products: 1 });
    s = await Session.start(WEBDRIVER, APP, { timeout: 120_000, args: ["--db", DB] });
    await connectOzon(s, { name: "Pages Shop", clientId: CLIENT_ID, apiKey: API_KEY, interval: 600, url: fake.baseUrl });
  });

  after(async () => {
    if (s) await s.deleteSession().catch(() => {});
    await leaveNothingBehind(DB);
    fakeChild?.kill();
    restoreAutostart?.();
  });

  step("the inbox shows the first 200 of 450 lines", 120_000, async () => {
    await (await s.waitForElement(tid("nav-inbox"))).click();
    await s.waitForElement(tid("inbox-row"), 60_000);
    // Until the account's first sync has stored every posting, the page may be shorter.
    await waitFor(
      async () => {
        const said = await selectedCount(s);
        return /\b200\b/.test(said) ? said : null;
      },
      { timeout: 60_000, message: "200 lines selected by Select all" },
    );
  });

  step("holding j brings the other pages, each line once", 240_000, async () => {
    for (let done = 0; done < POSTINGS + 10; done += 50) {
      await holdJ(s, 50);
      // The list scrolls to the cursor after the keys are in, so its row may be drawn a moment later.
      let most = 0;
      await waitFor(
        async () => {
          const n = await cursorRows(s);
          most = Math.max(most, n);
          return n === 1;
        },
        { timeout: 10_000, message: `one row under the cursor after ${done + 50} presses of j` },
      );
      assert.ok(most <= 1, `${most} rows under the cursor after ${done + 50} presses of j: a line read twice`);
    }
    assert.match(await selectedCount(s), new RegExp(`\\b${POSTINGS}\\b`), "every line is in the list");
  });

  step("a search typed after / narrows the inbox, whatever the case, and Escape brings every line back", 120_000, async () => {
    const field = await s.find(tid("inbox-search"));
    await s.press("/");
    assert.equal(await s.executeScript("return document.activeElement?.dataset.testid ?? null;"), "inbox-search");
    // The fake's postings carry ten products in turn: 45 of the 450 are brake pads.
    await field.sendKeys("ТОРМОЗНЫЕ перед");
    // The list draws only the rows in sight: those must all be brake pads, and Select all counts 45.
    await waitFor(() => onlyRowsOf(s, "Колодки тормозные передние"), { timeout: 20_000, message: "only brake pad lines in sight" });
    // Another list: no cursor, so the pane beside it shows no order.
    await waitFor(
      async () =>
        (await cursorRows(s)) === 0 &&
        (await (await s.find(tid("inbox-detail"))).text()).includes("Move to a line") &&
        !(await s.findAll(`${tid("inbox-detail")} h2, ${tid("inbox-detail")} h3`)).length,
      { timeout: 10_000, message: "no cursor and no order beside the found lines" },
    );
    await s.screenshot(join(OUT, "inbox-search.png"));
    // Enter leaves the field for the list (Esc there would empty the field).
    await field.sendKeys("\uE007");
    assert.match(await selectedCount(s), /\b45\b/);
    await field.sendKeys("\uE00C");
    assert.equal(await field.property("value"), "");
    await waitFor(
      async () => {
        const said = await selectedCount(s);
        return new RegExp(`\\b${POSTINGS}\\b`).test(said) ? said : null;
      },
      { timeout: 20_000, message: "every line again" },
    );
    // Two letters: too short for the search index, so the store checks the lines one by one (a
    // bounded number a read, reading on as the list asks); one product of the ten holds "ГР".
    await s.press("/");
    await field.sendKeys("гР\uE007");
    await waitFor(() => onlyRowsOf(s, "Ремень ГРМ"), { timeout: 20_000, message: "only timing belt lines in sight" });
    assert.match(await selectedCount(s), /\b45\b/);
    await s.press("/");
    await field.sendKeys("\uE00C");
    await waitFor(
      async () => {
        const said = await selectedCount(s);
        return new RegExp(`\\b${POSTINGS}\\b`).test(said) ? said : null;
      },
      { timeout: 20_000, message: "every line after the short search" },
    );
  });

  step("a long order beside its line shows its first lines, and all of them on asking", 120_000, async () => {
    const number = await fake.newPosting(120);
    await (await s.waitForElement(tid("nav-accounts"))).click();
    await (await s.waitForElement(tid("account-sync-now"))).click();
    await (await s.waitForElement(tid("nav-inbox"))).click();
    const field = await s.waitForElement(tid("inbox-search"));
    const onlyItsLines = async () => {
      const numbers = await s.executeScript(
        "return [...document.querySelectorAll('[data-testid=inbox-row]')].map((r) => r.dataset.orderNumber);",
      );
      return numbers.length > 0 && numbers.every((n) => n === number);
    };
    await field.sendKeys(number);
    await waitFor(onlyItsLines, { timeout: 30_000, message: `the lines of ${number} found after its sync` });
    // Enter searches for the whole number at once and leaves the field for the list, where j puts
    // the cursor on the order (the list of a part of the number may have been on view before).
    await field.sendKeys("\uE007");
    await waitFor(onlyItsLines, { timeout: 10_000, message: `the lines of ${number} after Enter` });
    await s.press("j");
    const pane = tid("inbox-detail");
    // The pane may draw the order again meanwhile (a refresh after the sync): read it afresh.
    const said = await waitFor(
      async () => {
        const [more] = await s.findAll(`${pane} ${tid("order-lines-more")}`);
        return more ? await more.text().catch(() => null) : null;
      },
      { timeout: 20_000, message: "the order's first lines beside its line" },
    );
    assert.match(said, /Showing 20 of 120 lines/);
    assert.equal((await s.findAll(`${pane} ${tid("order-line")}`)).length, 20);
    await s.executeScript(`document.querySelector('${pane} ${tid("order-lines-more")}').scrollIntoView({ block: "center" });`);
    await s.screenshot(join(OUT, "inbox-long-order.png"));
    await (await s.find(`${pane} ${tid("order-lines-all")}`)).click();
    await waitFor(async () => (await s.findAll(`${pane} ${tid("order-line")}`)).length === 120, {
      timeout: 10_000,
      message: "all 120 lines of the order after Show all",
    });
    assert.equal((await s.findAll(`${pane} ${tid("order-lines-more")}`)).length, 0);
  });
});
