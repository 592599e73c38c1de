// End-to-end: the All-orders cabinet in the real app. Postings with Cyrillic and Latin buyers arrive
// from a fake Ozon, are accepted into shop orders, then the cabinet filters them by status (stats bar),
// finds them by a lower-case Cyrillic fragment, and exports them to CSV in CP1251 with ';' to a typed
// path; the file's bytes are checked here. Then 450 more customers are put in its database, and the
// Customers screen brings them a page at a time as it is scrolled down, each once, in order.
// Run through tests/e2e/run.sh. This file has its own database (--db) and its own fake Ozon, so it
// neither sees nor leaves anything the other files' steps count on; run.sh runs one file at a time
// (the app is single-instance).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { FakeOzon } from "./fake.mjs";
import {
  connectOzon,
  env,
  fill,
  keepAutostart,
  leaveNothingBehind,
  pick,
  removeDatabase,
  secret,
  sqlite,
  startFake,
  stepper,
  tid,
} from "./common.mjs";

const WEBDRIVER = env("E2E_WEBDRIVER_URL");
const APP = env("E2E_APP");
const FAKE_BIN = env("E2E_FAKE_BIN");
const OUT = env("E2E_OUT");
const HOME = env("E2E_HOME");
const DB = join(dirname(env("E2E_DB")), "cabinet.db");
const CLIENT_ID = "515151";
/** Customers a page brings (CUSTOMERS_PAGE in ui/src/queries.ts), and the buyers added to need three pages. */
const CUSTOMERS_PAGE = 200;
const EARLIER_BUYERS = 450;
const API_KEY = secret("cabinet: Ozon Api-Key", `cabinet-${process.pid}-${Date.now()}`);

/** The buyers; the first two share the fragment "щук" (in capitals at the start of the name). */
const BUYERS = {
  shchukina: "Щукина Мария Петровна",
  shchukin: "Щукин Олег",
  kowalski: "Jan Kowalski",
  petrov: "Петров Иван",
};
const PHONES = {
  shchukina: "+79161110001",
  shchukin: "+79161110002",
  kowalski: "+48601110003",
  petrov: "+79161110004",
};

/** The recipients of the cabinet's rows as shown, sorted. */
function shownRecipients(s) {
  return s.executeScript(
    "return [...document.querySelectorAll('[role=row][data-testid^=\"cabinet-row-\"]')]" +
      ".map((r) => r.querySelector('.cabinet-recipient span').textContent.trim()).sort()",
  );
}

/** Wait until the cabinet shows exactly `names`; a timeout says what it showed. */
async function waitForRecipients(s, names, message) {
  const want = [...names].sort();
  let seen = [];
  try {
    await waitFor(
      async () => {
        seen = await shownRecipients(s);
        return JSON.stringify(seen) === JSON.stringify(want);
      },
      { timeout: 30_000, message },
    );
  } catch (e) {
    throw new Error(`${e.message}; the cabinet shows ${JSON.stringify(seen)}, expected ${JSON.stringify(want)}`);
  }
  return seen;
}

/** A CSV file's records (quotes and the delimiter as RFC 4180 has them; CRLF or LF). */
function parseCsv(text, delimiter) {
  const records = [];
  let record = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || record.length) records.push([...record, field]);
  return records;
}

describe("All-orders cabinet end to end", { timeout: 600_000 }, () => {
  /** @type {Session} */
  let s;
  let fakeChild;
  /** @type {FakeOzon} */
  let fake;
  let fakeUrl;
  let restoreAutostart;
  /** The status the stats bar filtered by, and the recipients it showed. */
  let statusId;
  let shownForStatus = [];
  const step = stepper(it, "cabinet-", OUT, () => s);

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
    if (s) {
      // Back to English for the files after this one (the language is kept in the web view's storage).
      await pick(s, "lang-switch", "en").catch(() => {});
      await s.deleteSession().catch(() => {});
    }
    await leaveNothingBehind(DB);
    fakeChild?.kill();
    restoreAutostart?.();
  });

  step("connect an account to this file's fake Ozon", 90_000, async () => {
    await connectOzon(s, { name: "Cabinet Shop", clientId: CLIENT_ID, apiKey: API_KEY, interval: 10, url: fakeUrl });
  });

  step("four postings with Cyrillic and Latin buyers are accepted into shop orders", 240_000, async (t) => {
    // The fake makes a posting; the others are copies of it with their own numbers and buyers.
    const template = await fake.posting(await fake.newPosting(1));
    const numbers = {};
    let k = 0;
    for (const [key, name] of Object.entries(BUYERS)) {
      k++;
      const number = `77000${k}00-000${k}-1`;
      numbers[key] = number;
      await fake.request("POST", "/__fake/postings", {
        ...template,
        posting_number: number,
        order_number: number.slice(0, -2),
        order_id: 77_000_000_000 + k,
        in_process_at: new Date().toISOString(),
        products: template.products.map((p) => ({ ...p, sku: p.sku + k * 100, offer_id: `${p.offer_id}-${k}` })),
        customer: {
          name,
          phone: PHONES[key],
          address: { city: "Москва", address_tail: `ул. Тверская, д. ${k}` },
        },
      });
    }
    const syncNow = await s.findAll(tid("account-sync-now"));
    if (syncNow.length) await syncNow[0].click();
    await (await s.waitForElement(tid("nav-inbox"))).click();
    const rowOf = (number) => `${tid("inbox-row")}[data-order-number="${number}"]`;
    for (const number of Object.values(numbers)) {
      await waitFor(async () => (await s.findAll(rowOf(number))).length === 1, {
        timeout: 60_000,
        message: `the inbox row of ${number}`,
      });
    }
    // All four in one decision, while the poll may be writing: the store's write transactions take
    // the lock up front, so the decision waits for the poll instead of failing as "busy".
    for (const number of Object.values(numbers)) {
      const [row] = await s.findAll(rowOf(number));
      const box = await s.find(tid("row-select"), row);
      if ((await box.property("checked")) !== true) await box.click();
    }
    await (await s.waitForElement(tid("bulk-accept"))).click();
    try {
      await waitFor(
        async () => {
          for (const number of Object.values(numbers)) if ((await s.findAll(rowOf(number))).length) return false;
          return true;
        },
        { timeout: 20_000, message: "the four rows to leave the inbox after Accept" },
      );
    } catch (e) {
      const banners = await s.findAll(tid("error-banner"));
      const said = banners.length ? (await banners[0].text()).trim() : "";
      throw new Error(`${e.message}; error banner: ${JSON.stringify(said)}`);
    }
  });

  step("the stats bar filters by a status and the table shows only its orders", 120_000, async () => {
    await (await s.waitForElement(tid("nav-orders"))).click();
    await s.waitForElement(tid("cabinet"));
    await waitForRecipients(s, Object.values(BUYERS), "the four accepted orders in All orders");

    // Two orders move to another status through the bulk bar.
    const moved = [BUYERS.shchukina, BUYERS.kowalski];
    for (const row of await s.findAll(`[role="row"][data-testid^="cabinet-row-"]`)) {
      const name = (await (await s.find(".cabinet-recipient span", row)).text()).trim();
      if (moved.includes(name)) await (await s.find(tid("cabinet-row-check"), row)).click();
    }
    await waitFor(async () => /2/.test(await (await s.find(tid("cabinet-selected"))).text()), {
      timeout: 10_000,
      message: "two rows selected",
    });
    const current = await s.executeScript(
      "return [...document.querySelectorAll('[data-testid^=\"cabinet-stat-\"]')]" +
        ".filter((b) => /^cabinet-stat-\\d+$/.test(b.dataset.testid) && b.querySelector('.stat-count').textContent.trim() === '4')" +
        ".map((b) => b.dataset.testid.slice('cabinet-stat-'.length))",
    );
    assert.equal(current.length, 1, `one status should hold all four orders: ${JSON.stringify(current)}`);
    const options = await s.executeScript(
      "return [...document.querySelectorAll('[data-testid=bulk-status] option')].map((o) => o.value).filter((v) => v !== '')",
    );
    statusId = options.find((v) => v !== current[0]);
    assert.ok(statusId, `no other status to move to: ${JSON.stringify(options)}`);
    await pick(s, "bulk-status", statusId);
    await (await s.waitForElement(tid("bulk-status-apply"))).click();
    const stat = await s.waitForElement(tid(`cabinet-stat-${statusId}`));
    await waitFor(async () => (await (await s.find(".stat-count", stat)).text()).trim() === "2", {
      timeout: 30_000,
      message: `the stats bar to count 2 orders in status ${statusId}`,
    });

    await stat.click();
    shownForStatus = await waitForRecipients(s, moved, `only the orders in status ${statusId}`);
    await s.screenshot(join(OUT, "cabinet-status.png"));
  });

  step("a lower-case Cyrillic fragment finds the names that start with capitals", 60_000, async () => {
    await (await s.waitForElement(tid("cabinet-stat-all"))).click();
    await waitForRecipients(s, Object.values(BUYERS), "all four orders again");
    await fill(s, "cabinet-search", "щук");
    await (await s.waitForElement(tid("cabinet-find"))).click();
    await waitForRecipients(s, [BUYERS.shchukina, BUYERS.shchukin], "the search 'щук'");
    await s.screenshot(join(OUT, "cabinet-search.png"));
    // Two letters are too short for the search index: the orders are gone through, the name's
    // letters matched in either case all the same ("Олег").
    await fill(s, "cabinet-search", "оЛ");
    await (await s.waitForElement(tid("cabinet-find"))).click();
    await waitForRecipients(s, [BUYERS.shchukin], "the search 'оЛ'");
    // Clear goes back to the default view (the "new" group); All then shows every order again.
    await (await s.waitForElement(tid("cabinet-clear"))).click();
    await waitFor(async () => (await (await s.find(tid("cabinet-search"))).property("value")) === "", {
      message: "the search to be cleared",
    });
    await (await s.waitForElement(tid("cabinet-stat-all"))).click();
    await waitForRecipients(s, Object.values(BUYERS), "all four orders after clearing the search");
  });

  step("CSV export in CP1251 with ';' to a typed path holds what the status filter showed", 120_000, async () => {
    // In Russian, so that the header is Cyrillic too.
    await pick(s, "lang-switch", "ru");
    await waitFor(async () => /Входящие/.test(await (await s.find(tid("nav-inbox"))).text()), {
      message: "the UI in Russian",
    });
    await (await s.waitForElement(tid("cabinet-export-open"))).click();
    const dialog = await s.waitForElement(tid("export-dialog"));
    await pick(s, "export-status", statusId);
    await (await s.find(tid("export-advanced"), dialog)).click();
    await pick(s, "export-delimiter", "semicolon");
    await pick(s, "export-encoding", "cp1251");
    // A file of that name is already there: the app asks before replacing it.
    const file = join(OUT, "cabinet-export.csv");
    writeFileSync(file, "an older export\n");
    await fill(s, "export-path", file);
    await (await s.find(tid("export-start"), dialog)).click();
    const asked = await s.waitForElement(tid("export-exists"), 30_000);
    assert.match(await asked.text(), /уже есть/);
    assert.equal(readFileSync(file, "utf8"), "an older export\n", "nothing is written before the manager agrees");
    await (await s.find(tid("export-replace"), asked)).click();
    const done = await s.waitForElement(tid("export-done"), 60_000);
    assert.equal((await (await s.find(tid("export-done-path"), done)).text()).trim(), file);
    await s.screenshot(join(OUT, "cabinet-export.png"));
    await (await s.find(tid("export-close"), dialog)).click();

    const bytes = readFileSync(file);
    assert.notDeepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "a CP1251 file has no UTF-8 BOM");
    // Read as UTF-8 the Cyrillic would be broken; as CP1251 it reads back exactly.
    assert.ok(!bytes.includes(Buffer.from("Щукина", "utf8")), "the file holds UTF-8 Cyrillic");
    const text = new TextDecoder("windows-1251", { fatal: true }).decode(bytes);
    const [headerLine] = text.split(/\r?\n/);
    assert.equal(
      headerLine,
      "Номер заказа;Создан;Статус;Маркетплейс;Получатель;Телефон;Адрес;Способ оплаты;Оплачен;Сумма;Валюта",
    );
    const [header, ...rows] = parseCsv(text, ";").filter((r) => r.length > 1 || r[0] !== "");
    assert.equal(rows.length, shownForStatus.length, `data rows: ${JSON.stringify(rows)}`);
    for (const row of rows) assert.equal(row.length, header.length, `a row of ${header.length} fields: ${JSON.stringify(row)}`);
    const recipients = rows.map((r) => r[header.indexOf("Получатель")]).sort();
    assert.deepEqual(recipients, shownForStatus);
    assert.ok(recipients.includes(BUYERS.shchukina), `the Cyrillic name in the file: ${JSON.stringify(recipients)}`);
  });

  step("hundreds of customers come a page at a time as the list is scrolled down", 120_000, async () => {
    // 450 earlier buyers, each a minute older than the one before, behind the four of the postings.
    sqlite(
      DB,
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${EARLIER_BUYERS - 1})
       INSERT INTO customers (name, phone, created_at, last_order_at, order_count)
       SELECT printf('Покупатель %03d', i), printf('+7900%07d', i), '2020-01-01T00:00:00.000000Z',
              strftime('%Y-%m-%dT%H:%M:%S.000000Z', '2020-01-01', printf('-%d minutes', i)), 1
       FROM n`,
    );
    // The buyers of the postings (if their marketplace names them) first: their orders are the latest.
    const expected = sqlite(DB, "SELECT id FROM customers ORDER BY last_order_at DESC, id DESC").split("\n").map(Number);
    assert.ok(expected.length >= EARLIER_BUYERS, `${expected.length} customers in the database`);
    await (await s.waitForElement(tid("nav-customers"))).click();
    const ids = () =>
      s.executeScript("return [...document.querySelectorAll('[data-testid=customer-row]')].map((r) => Number(r.dataset.customerId));");
    await waitFor(async () => (await ids()).length === CUSTOMERS_PAGE, { message: "the first page of customers" });
    // Scrolled to the list's end (as a manager reaching it with the mouse wheel), the next page
    // comes, until the last.
    let shown = [];
    await waitFor(
      async () => {
        await s.executeScript("document.querySelector('[data-testid=customers-more]')?.scrollIntoView();");
        shown = await ids();
        return shown.length >= expected.length;
      },
      { timeout: 60_000, interval: 200, message: `all ${expected.length} customers after scrolling` },
    );
    await s.screenshot(join(OUT, "cabinet-customers-scrolled.png"));
    assert.deepEqual(shown, expected, "every customer once, the latest buyer first");
    assert.equal(await s.executeScript("return document.querySelector('[data-testid=customers-more]') === null;"), true);
  });

  step("customers are found by a fragment of a name in any case, or of a phone as it is typed", 60_000, async () => {
    const ids = () =>
      s.executeScript("return [...document.querySelectorAll('[data-testid=customer-row]')].map((r) => Number(r.dataset.customerId));");
    // Every customer's name and phone as stored: the expected matches, newest customer first.
    const all = sqlite(DB, "SELECT id || '|' || coalesce(name, '') || '|' || coalesce(phone, '') FROM customers ORDER BY id DESC")
      .split("\n")
      .map((row) => row.split("|"));
    const matching = (pick) => all.filter(pick).map(([id]) => Number(id));
    const field = await s.find(tid("customers-search"));
    await s.press("/");
    assert.equal(await s.executeScript("return document.activeElement?.dataset.testid ?? null;"), "customers-search");
    // Lower case against "Покупатель 120" … "Покупатель 129" (not "Покупатель 012").
    await field.sendKeys("покупатель 12");
    const byName = matching(([, name]) => name.toLowerCase().includes("покупатель 12"));
    assert.equal(byName.length, 10, `customers named like it: ${JSON.stringify(byName)}`);
    await waitFor(async () => JSON.stringify(await ids()) === JSON.stringify(byName), {
      timeout: 20_000,
      message: `the ten customers named "Покупатель 12…", newest first: ${JSON.stringify(byName)}`,
    });
    await s.screenshot(join(OUT, "cabinet-customers-search.png"));
    // A phone typed in its national form, with brackets and dashes: stored as +79000000123.
    await field.sendKeys("\uE003".repeat("покупатель 12".length) + "8 (900) 000-01-23");
    const byPhone = matching(([, , phone]) => phone === "+79000000123");
    assert.equal(byPhone.length, 1);
    await waitFor(async () => JSON.stringify(await ids()) === JSON.stringify(byPhone), {
      timeout: 20_000,
      message: "the customer with that phone",
    });
    assert.match(await (await s.find(tid("customer-row"))).text(), /Покупатель 123/);
    // Emptied, the search gives the whole list back, latest buyer first, as far as it was read.
    const latestFirst = sqlite(DB, "SELECT id FROM customers ORDER BY last_order_at DESC, id DESC").split("\n").map(Number);
    await field.sendKeys("\uE003".repeat("8 (900) 000-01-23".length));
    await waitFor(
      async () => {
        const shown = await ids();
        return shown.length >= CUSTOMERS_PAGE && JSON.stringify(shown) === JSON.stringify(latestFirst.slice(0, shown.length));
      },
      { timeout: 20_000, message: "the whole list again, latest buyer first" },
    );
  });
});
