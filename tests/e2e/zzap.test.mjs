// End-to-end: the real Ordertray app against the fake ZZAP seller API.
// Connect a ZZAP account (password and key in the keychain only) -> load ZZAP's status codes and set
// the "accepted" / "refusal" codes and texts -> two buyer orders arrive -> OS notification -> accept
// one, reject the other from the keyboard -> the fake receives exactly those two status calls.
// Run through tests/e2e/run.sh. This file has its own database (--db) and its own fake ZZAP.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { FakeZzap } from "./fake.mjs";
import {
  cursorOn,
  env,
  fill,
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
  outboxDrained,
} from "./common.mjs";

const WEBDRIVER = env("E2E_WEBDRIVER_URL");
const APP = env("E2E_APP");
// The fakes are built together: the ZZAP one sits beside the Ozon one.
const FAKE_BIN = join(dirname(env("E2E_FAKE_BIN")), "ordertray-fake-zzap");
const NOTIFY_LOG = env("E2E_NOTIFY_LOG");
const OUT = env("E2E_OUT");
const HOME = env("E2E_HOME");
const DB = join(dirname(env("E2E_DB")), "zzap.db");
const LOGIN = "parts-shop@example.ru";
const PASSWORD = secret("zzap: password", `zzap-pw-${process.pid}-${Date.now()}`);
const API_KEY = secret("zzap: API key", `zzap-key-${process.pid}-${Date.now()}`);
/** The fake's dictionary (fakes/src/zzap.rs STATUS_CODES): 2 = accepted, 3 = the seller refused. */
const ACCEPTED = { code: "2", name: "Принят в работу" };
const REFUSED = { code: "3", name: "Отказ продавца" };

const rowsOf = (number) => `${tid("inbox-row")}[data-order-number="${number}"]`;

describe("ZZAP end to end", { timeout: 600_000 }, () => {
  /** @type {Session} */
  let s;
  let fakeChild;
  /** @type {FakeZzap} */
  let fake;
  let fakeUrl;
  let accountId;
  let restoreAutostart;
  /** The two buyer orders: the first is accepted, the second rejected. */
  let orders = [];
  const step = stepper(it, "zzap-", OUT, () => s);

  before(async () => {
    restoreAutostart = keepAutostart(HOME);
    removeDatabase(DB);
    // ZZAP's 3 s limit, a little under it for clock jitter.
    const started = startFake(
      FAKE_BIN,
      ["--login", LOGIN, "--min-interval-ms", "2500"],
      "ZZAP",
      { password: PASSWORD, apiKey: API_KEY },
    );
    fakeChild = started.child;
    fakeUrl = await started.url;
    fake = new FakeZzap(fakeUrl);
    s = await Session.start(WEBDRIVER, APP, { timeout: 120_000, args: ["--db", DB] });
  });

  after(async () => {
    if (s) await s.deleteSession().catch(() => {});
    await leaveNothingBehind(DB);
    fakeChild?.kill();
    restoreAutostart?.();
  });

  step("connect a ZZAP account (connection test, save)", 120_000, async () => {
    await (await s.waitForElement(tid("add-account"), 45_000)).click();
    await pick(s, "account-kind", "zzap");
    await fill(s, "account-name", "ZZAP parts");
    await fill(s, "account-login", LOGIN);
    await fill(s, "account-password", PASSWORD);
    await fill(s, "account-api-key", API_KEY);
    await retype(s, "account-interval", "10");
    await (await s.waitForElement(tid("account-advanced"))).click();
    await fill(s, "account-base-url", fakeUrl);
    await (await s.waitForElement(tid("account-test"))).click();
    const result = await waitFor(
      async () => {
        const els = await s.findAll(tid("account-test-result"));
        const t = els.length ? (await els[0].text()).trim() : "";
        // "Testing…" shows in the same place until the answer comes.
        return t === "" || t.endsWith("…") ? null : t;
      },
      { timeout: 30_000, message: "account-test-result" },
    );
    assert.match(result, /✓/, `connection test result: ${result}`);
    assert.ok(!result.includes(PASSWORD) && !result.includes(API_KEY), "the test result shows a secret");

    await (await s.waitForElement(tid("account-save"))).click();
    const row = await s.waitForElement(tid("account-row"), 30_000);
    accountId = await waitFor(() => row.attribute("data-account-id"), { message: "data-account-id" });
    const [test] = (await fake.calls()).filter((c) => c.method === "GetCodesTrack");
    assert.ok(test?.credentials_ok, `the connection test reached ZZAP with the right secrets: ${JSON.stringify(test)}`);
  });

  step("the password and the key are in the keychain and in no database file", 30_000, async () => {
    for (const [field, value] of [
      ["password", PASSWORD],
      ["api_key", API_KEY],
    ]) {
      assert.equal(keychain(DB, accountId, field), value, `keychain entry ${accountId}/${field}`);
      for (const file of [DB, `${DB}-wal`, `${DB}-shm`]) {
        assert.equal(grepCount(file, value), 0, `the ${field} was found in ${file}`);
      }
    }
  });

  step("status settings load ZZAP's codes and take the accepted and refusal codes and texts", 90_000, async () => {
    await (await s.waitForElement(tid("nav-accounts"))).click();
    await (await s.waitForElement(tid(`pushes-${accountId}`))).click();
    await (await s.waitForElement(tid("push-load-statuses"))).click();
    const caps = await s.waitForElement(tid("push-capabilities"));
    await waitFor(async () => (await caps.text()).includes(`«${ACCEPTED.name}» (${ACCEPTED.code})`), {
      timeout: 30_000,
      message: "ZZAP's status names in the capabilities",
    });
    await fill(s, "push-accepted-status", ACCEPTED.code);
    await fill(s, "push-accepted-notice", "Заказ {order} принят");
    await fill(s, "push-refusal-status", REFUSED.code);
    await fill(s, "push-refusal-text", "Нет в наличии: {article}");
    await (await s.waitForElement(tid("pushes-save"))).click();
    await waitFor(async () => (await (await s.find(tid("pushes-save"))).property("disabled")) === true, {
      timeout: 20_000,
      message: "the settings to be saved (Save disabled again)",
    });
    assert.equal((await s.findAll(tid("push-problem"))).length, 0, "ZZAP takes its own codes and comments");
  });

  step("two buyer orders reach the inbox, and the OS is told of them", 120_000, async () => {
    orders = await fake.newOrders(2);
    // Sync now, rather than wait for the 10 s poll.
    await (await s.waitForElement(tid("nav-accounts"))).click();
    await (await s.waitForElement(tid("account-sync-now"))).click();
    await (await s.waitForElement(tid("nav-inbox"))).click();
    for (const code of orders) {
      await waitFor(async () => (await s.findAll(rowsOf(code))).length === 1, {
        timeout: 60_000,
        message: `the inbox row of ZZAP order ${code}`,
      });
    }
    // Two orders in one sync make one popup (bursts are coalesced): it names the account and an order.
    await waitFor(() => notifyCalls(NOTIFY_LOG).some((m) => m.includes("ZZAP parts") && orders.some((code) => m.includes(code))), {
      timeout: 30_000,
      message: `a Notify call naming the account and one of ${orders} in ${NOTIFY_LOG}`,
    });
    await s.screenshot(join(OUT, "zzap-inbox.png"));
  });

  step("accept one order with a and reject the other with r -> exactly two ZZAP status calls", 120_000, async () => {
    const [accepted, rejected] = orders;
    await cursorOn(await s.find(rowsOf(accepted)), `the row of ${accepted}`);
    await s.press("a");
    await waitFor(async () => (await s.findAll(rowsOf(accepted))).length === 0, {
      timeout: 30_000,
      message: `the row of ${accepted} to leave the inbox after 'a'`,
    });
    await cursorOn(await s.find(rowsOf(rejected)), `the row of ${rejected}`);
    await s.press("r");
    await waitFor(async () => (await s.findAll(rowsOf(rejected))).length === 0, {
      timeout: 30_000,
      message: `the row of ${rejected} to leave the inbox after 'r'`,
    });

    const article = (await fake.order(rejected)).partnumber;
    const statusCalls = async () => (await fake.calls()).filter((c) => c.method === "SetOrderStatusV3");
    let calls = [];
    await waitFor(
      async () => {
        calls = (await statusCalls()).filter((c) => c.status === 200 && c.error === "");
        return calls.length >= 2;
      },
      { timeout: 60_000, message: "two successful SetOrderStatusV3 calls at the fake" },
    ).catch((e) => {
      throw new Error(`${e.message}; calls: ${JSON.stringify(calls)}`);
    });
    // Nothing more arrives: each decision is sent once (the outbox has nothing left to send).
    await outboxDrained(DB);
    const all = await statusCalls();
    const sent = all
      .filter((c) => c.status === 200 && c.error === "")
      .map((c) => [c.params.code_order, c.params.code_track, c.params.response])
      .sort();
    assert.deepEqual(
      sent,
      [
        [accepted, ACCEPTED.code, `Заказ ${accepted} принят`],
        [rejected, REFUSED.code, `Нет в наличии: ${article}`],
      ].sort(),
      `the status calls: ${JSON.stringify(all)}`,
    );
    assert.ok(all.every((c) => c.credentials_ok), "every status call carried the right secrets");
    assert.equal((await fake.order(accepted)).code_track, Number(ACCEPTED.code));
    assert.equal((await fake.order(rejected)).code_track, Number(REFUSED.code));
  });
});
