// End-to-end: the real Ordertray app receiving Gettzap's pushed orders and answering the fake Gettzap.
// Connect a Gettzap account (password, office token and the intake token in the keychain only) ->
// turn the order intake on in Settings on a free port -> set the accepted / refusal statuses and
// texts -> an order with two lines is POSTed to the intake as Gettzap would (without the token: 401;
// the same order twice: stored once) -> OS notification -> accept one line, reject the other from
// the keyboard -> the fake Gettzap receives exactly those two status calls with their texts.
// Gettzap's push and status formats are unverified (see shared/api-notes/gettzap.md): this checks
// the app against the shapes the connector assumes. Run through tests/e2e/run.sh. This file has its
// own database (--db) and its own fake Gettzap.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { FakeGettzap } from "./fake.mjs";
import {
  clickAt,
  clipboard,
  cursorOn,
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
  secret,
  startFake,
  stepper,
  turnIntakeOn,
  tid,
  outboxDrained,
  sqlite,
} from "./common.mjs";

const WEBDRIVER = env("E2E_WEBDRIVER_URL");
const APP = env("E2E_APP");
// The fakes are built together: the Gettzap one sits beside the Ozon one.
const FAKE_BIN = join(dirname(env("E2E_FAKE_BIN")), "ordertray-fake-gettzap");
const NOTIFY_LOG = env("E2E_NOTIFY_LOG");
const OUT = env("E2E_OUT");
const HOME = env("E2E_HOME");
const DB = join(dirname(env("E2E_DB")), "gettzap.db");
const ACCOUNT = "Gettzap parts";
const LOGIN = "gz-parts-shop";
const PASSWORD = secret("gettzap: password", `gz-pw-${process.pid}-${Date.now()}`);
const API_KEY = secret("gettzap: office token (API key)", `gz-key-${process.pid}-${Date.now()}`);
/** Two of the account form's default Gettzap statuses (AccountForm GETTZAP_STATUSES). */
const ACCEPTED = "accepted";
const REFUSED = "refused";
/** The pushed order (the fields parse.rs reads): the first line is accepted, the second rejected. */
const ORDER_ID = String(70000 + (process.pid % 10000));
const ORDER_NUMBER = `GZ-${ORDER_ID}`;
const LINES = [
  { position_id: `${ORDER_ID}-1`, brand: "Mann", article: "W712/75", name: "Фильтр масляный Mann", quantity: 1, price: "410.00" },
  { position_id: `${ORDER_ID}-2`, brand: "Bosch", article: "0986494524", name: "Колодки тормозные Bosch", quantity: 2, price: "2350.50" },
];
const ORDER = {
  order_id: ORDER_ID,
  number: ORDER_NUMBER,
  status: "new",
  created_at: new Date().toISOString(),
  customer: { name: "Иван Петров", phone: "+7 900 123-45-67", email: "ivan@example.ru" },
  positions: LINES,
};

const rowsOf = (number) => `${tid("inbox-row")}[data-order-number="${number}"]`;

/** POSTs `body` as JSON to the intake the way Gettzap would; returns [HTTP status, JSON answer]. */
async function push(url, body) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: kept as text below
  }
  return [res.status, json ?? text];
}

describe("Gettzap end to end", { timeout: 600_000 }, () => {
  /** @type {Session} */
  let s;
  let fakeChild;
  /** @type {FakeGettzap} */
  let fake;
  let fakeUrl;
  let accountId;
  let intakePort;
  let intakeToken;
  let restoreAutostart;

  const intakeUrl = () => `http://127.0.0.1:${intakePort}/intake/gettzap/${accountId}`;

  const step = stepper(it, "gettzap-", OUT, () => s);

  before(async () => {
    restoreAutostart = keepAutostart(HOME);
    removeDatabase(DB);
    const started = startFake(FAKE_BIN, ["--login", LOGIN], "Gettzap", { password: PASSWORD, apiKey: API_KEY });
    fakeChild = started.child;
    fakeUrl = await started.url;
    fake = new FakeGettzap(fakeUrl);
    s = await Session.start(WEBDRIVER, APP, { timeout: 120_000, args: ["--db", DB] });
  });

  after(async () => {
    if (s) await s.deleteSession().catch(() => {});
    await leaveNothingBehind(DB);
    fakeChild?.kill();
    restoreAutostart?.();
  });

  step("connect a Gettzap account with the fake's address", 120_000, async () => {
    await (await s.waitForElement(tid("add-account"), 45_000)).click();
    await pick(s, "account-kind", "gettzap");
    await fill(s, "account-name", ACCOUNT);
    await fill(s, "account-login", LOGIN);
    await fill(s, "account-password", PASSWORD);
    await fill(s, "account-api-key", API_KEY);
    const statuses = await (await s.waitForElement(tid("account-gettzap-statuses"))).property("value");
    assert.ok(
      statuses.split(";").includes(ACCEPTED) && statuses.split(";").includes(REFUSED),
      `the form's Gettzap statuses: ${statuses}`,
    );
    await (await s.waitForElement(tid("account-advanced"))).click();
    await fill(s, "account-base-url", fakeUrl);
    await (await s.waitForElement(tid("account-save"))).click();
    const row = await s.waitForElement(tid("account-row"), 30_000);
    accountId = await waitFor(() => row.attribute("data-account-id"), { message: "data-account-id" });
  });

  step("the password, the office token and the intake token are in the keychain and in no database file", 30_000, async () => {
    intakeToken = secret("gettzap: intake token (made by the app)", keychain(DB, accountId, "intake_token"));
    assert.match(intakeToken, /^[0-9a-f]{48}$/, "the app made an intake token");
    for (const [field, value] of [
      ["password", PASSWORD],
      ["api_key", API_KEY],
      ["intake_token", intakeToken],
    ]) {
      assert.equal(keychain(DB, accountId, field), value, `keychain entry ${accountId}/${field}`);
      for (const file of [DB, `${DB}-wal`, `${DB}-shm`]) {
        assert.equal(grepCount(file, value), 0, `the ${field} was found in ${file}`);
      }
    }
  });

  step("the order intake is turned on in Settings and listens on the chosen port", 60_000, async () => {
    intakePort = await freePort();
    await turnIntakeOn(s, intakePort);

    // The account shows the address to paste into Gettzap on that port, its token hidden.
    await (await s.waitForElement(tid("nav-accounts"))).click();
    await (await s.waitForElement(tid("account-edit"))).click();
    const shown = await waitFor(
      async () => {
        const t = (await (await s.waitForElement(tid("intake-url"))).text()).trim();
        return t.includes("/intake/") ? t : null;
      },
      { timeout: 20_000, message: "the intake address in the account form" },
    );
    assert.equal(shown, `${intakeUrl()}?token=••••••••`);
    assert.equal((await s.findAll(tid("intake-not-serving"))).length, 0, "the form says the intake is not serving");
    const page = await (await s.find("body")).text();
    assert.ok(!page.includes(intakeToken), "the intake token is on the screen");
    // Copy puts the whole address (token included) on the clipboard, read back from the X display.
    await clickAt(s, tid("intake-copy"));
    await waitFor(() => clipboard() === `${intakeUrl()}?token=${intakeToken}`, {
      timeout: 20_000,
      message: "the intake address with its token on the clipboard",
    });
  });

  step("status settings take the accepted and refusal statuses and texts", 90_000, async () => {
    await (await s.waitForElement(tid("nav-accounts"))).click();
    await (await s.waitForElement(tid(`pushes-${accountId}`))).click();
    await s.waitForElement(tid("push-capabilities"));
    const load = await s.findAll(tid("push-load-statuses"));
    if (load.length) {
      await load[0].click();
      await waitFor(async () => (await (await s.find(tid("push-capabilities"))).text()).includes(ACCEPTED), {
        timeout: 30_000,
        message: "the account's Gettzap statuses in the capabilities",
      });
    }
    await fill(s, "push-accepted-status", ACCEPTED);
    await fill(s, "push-accepted-notice", "Заказ {order} принят");
    await fill(s, "push-refusal-status", REFUSED);
    await fill(s, "push-refusal-text", "Нет в наличии: {article}");
    await (await s.waitForElement(tid("pushes-save"))).click();
    await waitFor(async () => (await (await s.find(tid("pushes-save"))).property("disabled")) === true, {
      timeout: 20_000,
      message: "the settings to be saved (Save disabled again)",
    });
    const problems = await s.findAll(tid("push-problem"));
    assert.equal(problems.length, 0, `push problems: ${await Promise.all(problems.map((p) => p.text()))}`);
  });

  step("a push without the token is refused and stores nothing", 30_000, async () => {
    const [status, answer] = await push(intakeUrl(), ORDER);
    assert.equal(status, 401, `answer: ${JSON.stringify(answer)}`);
    assert.equal(answer.ok, false);
    const [wrong] = await push(`${intakeUrl()}?token=${"0".repeat(48)}`, ORDER);
    assert.equal(wrong, 401, "a wrong token is refused too");
  });

  step("an order with two lines pushed twice is stored once: two inbox rows, one popup", 120_000, async () => {
    const url = `${intakeUrl()}?token=${intakeToken}`;
    const [first, a1] = await push(url, ORDER);
    assert.equal(first, 200, `first push: ${JSON.stringify(a1)}`);
    assert.deepEqual([a1.ok, a1.stored, a1.new, a1.rejected], [true, 1, 1, []], JSON.stringify(a1));
    const [second, a2] = await push(url, ORDER);
    assert.equal(second, 200, `second push: ${JSON.stringify(a2)}`);
    assert.deepEqual([a2.ok, a2.stored, a2.new, a2.changed], [true, 1, 0, 0], `the repeat stored nothing new: ${JSON.stringify(a2)}`);

    await (await s.waitForElement(tid("nav-inbox"))).click();
    await waitFor(async () => (await s.findAll(rowsOf(ORDER_NUMBER))).length === 2, {
      timeout: 60_000,
      message: `two inbox rows of Gettzap order ${ORDER_NUMBER}`,
    });
    // The repeat added no lines (it was answered "stored 1, new 0" above, after it was stored).
    assert.equal(
      sqlite(DB, `SELECT COUNT(*) FROM lines l JOIN orders o ON o.id = l.order_id WHERE o.number = '${ORDER_NUMBER}'`),
      "2",
    );
    assert.equal((await s.findAll(rowsOf(ORDER_NUMBER))).length, 2);
    assert.equal((await s.findAll(tid("inbox-row"))).length, 2, "nothing else in the inbox");

    // Bursts are coalesced: a popup names the account and the order.
    await waitFor(() => notifyCalls(NOTIFY_LOG).some((m) => m.includes(ACCOUNT) && m.includes(ORDER_NUMBER)), {
      timeout: 30_000,
      message: `a Notify call naming ${ACCOUNT} and ${ORDER_NUMBER} in ${NOTIFY_LOG}`,
    });
    const popups = notifyCalls(NOTIFY_LOG).filter((m) => m.includes(ORDER_NUMBER));
    assert.equal(popups.length, 1, `one popup for the order, not one per push: ${popups.join("\n---\n")}`);
    await s.screenshot(join(OUT, "gettzap-inbox.png"));
    for (const file of [DB, `${DB}-wal`, `${DB}-shm`]) {
      assert.equal(grepCount(file, intakeToken), 0, `the intake token was found in ${file} after the pushes`);
    }
  });

  step("accept one line with a and reject the other with r -> exactly two Gettzap status calls", 120_000, async () => {
    const [acceptedLine, rejectedLine] = LINES;
    // A row's checkbox is labelled with the order number and the line's title (name, brand, article).
    const rowOf = async (line) => {
      for (const row of await s.findAll(rowsOf(ORDER_NUMBER))) {
        const [box] = await s.findAll(tid("row-select"), row);
        if (box && (await box.attribute("aria-label"))?.startsWith(`${ORDER_NUMBER} ${line.name} `)) return row;
      }
      return null;
    };
    const labels = async () =>
      Promise.all((await s.findAll(tid("row-select"))).map((b) => b.attribute("aria-label")));
    const found = await waitFor(() => rowOf(acceptedLine), { message: `the row of ${acceptedLine.name}` }).catch(
      async (e) => {
        throw new Error(`${e.message}; rows: ${JSON.stringify(await labels())}`);
      },
    );
    await cursorOn(found, `the row of ${acceptedLine.name}`);
    await s.press("a");
    await waitFor(async () => (await rowOf(acceptedLine)) === null, {
      timeout: 30_000,
      message: `the row of ${acceptedLine.name} to leave the inbox after 'a'`,
    });
    await cursorOn(
      await waitFor(() => rowOf(rejectedLine), { message: `the row of ${rejectedLine.name}` }),
      `the row of ${rejectedLine.name}`,
    );
    await s.press("r");
    await waitFor(async () => (await s.findAll(rowsOf(ORDER_NUMBER))).length === 0, {
      timeout: 30_000,
      message: `the row of ${rejectedLine.name} to leave the inbox after 'r'`,
    });

    let calls = [];
    await waitFor(
      async () => {
        calls = (await fake.calls()).filter((c) => c.http_status === 200);
        return calls.length >= 2;
      },
      { timeout: 60_000, message: "two successful status calls at the fake Gettzap" },
    ).catch((e) => {
      throw new Error(`${e.message}; calls: ${JSON.stringify(calls)}`);
    });
    // Nothing more arrives: each decision is sent once (the outbox has nothing left to send).
    await outboxDrained(DB);
    const all = await fake.calls();
    const sent = all.map((c) => [c.order_id, c.position_id, c.status, c.comment]).sort();
    assert.deepEqual(
      sent,
      [
        [ORDER_ID, acceptedLine.position_id, ACCEPTED, `Заказ ${ORDER_NUMBER} принят`],
        [ORDER_ID, rejectedLine.position_id, REFUSED, `Нет в наличии: ${rejectedLine.article}`],
      ].sort(),
      `the status calls: ${JSON.stringify(all)}`,
    );
    assert.ok(
      all.every((c) => c.credentials_ok && c.http_status === 200),
      `every status call carried the right login, password and office token: ${JSON.stringify(all)}`,
    );
  });
});
