// End-to-end: the command line on the manager's desktop. Whoever stores a new order announces it,
// once: a `ordertray-cli sync --once` (a terminal, a cron job beside the app) that finds new orders
// pops "N new orders" on the session's notification server like the app does, and a second run
// that finds nothing new pops nothing. A run started as cron starts it, without the session's bus
// address, pops too. Observed on D-Bus (dbus-monitor), as the app's popups are.
// Run through tests/e2e/run.sh. This file has its own database (--db) and its own fake Ozon, and
// no window.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { connect, createServer } from "node:net";
import { promisify } from "node:util";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { waitFor } from "./webdriver.mjs";
import { FakeOzon } from "./fake.mjs";
import { env, notifyCalls, removeDatabase, secret, startFake } from "./common.mjs";

const APP = env("E2E_APP");
const FAKE_BIN = env("E2E_FAKE_BIN");
const NOTIFY_LOG = env("E2E_NOTIFY_LOG");
const DB = join(dirname(env("E2E_DB")), "cli.db");
/** The CLI built beside the app. */
const CLI = join(dirname(APP), "ordertray-cli");
const CLIENT_ID = "77301";
const API_KEY = secret("cli: Ozon API key", `cli-key-${process.pid}-${Date.now()}`);
const ACCOUNT = "Terminal shop";

const readText = (file) => (existsSync(file) ? readFileSync(file, "utf8") : "");
const cli = (args, input) => execFileSync(CLI, ["--db", DB, ...args], { encoding: "utf8", timeout: 120_000, input });

/** The Notify calls since `seen` that name this file's account. */
const popupsSince = (seen) => notifyCalls(NOTIFY_LOG).slice(seen).filter((m) => m.includes(ACCOUNT));

/**
 * Returns once dbus-monitor has logged everything sent to the notification server so far: the bus
 * hands the monitor messages in the order it got them, so a call made now, seen in the log, comes
 * after every popup of a process that has ended. The call closes a notification that does not
 * exist, with an id of this call's own, so that nothing else can be taken for it.
 */
let markers = 0;
async function notifyLogCaughtUp() {
  const id = String(4_000_000_000 - process.pid * 10 - ++markers);
  try {
    execFileSync("dbus-send", ["--session", "--print-reply", "--dest=org.freedesktop.Notifications",
      "/org/freedesktop/Notifications", "org.freedesktop.Notifications.CloseNotification", `uint32:${id}`], { timeout: 10_000, stdio: "ignore" });
  } catch {
    // The server may answer an unknown id with an error: the call was made all the same.
  }
  const logged = () => readText(NOTIFY_LOG).split("\n").some((line) => line.trim() === `uint32 ${id}`);
  await waitFor(async () => logged(), { timeout: 10_000, message: `dbus-monitor to log the marker ${id}` });
}

describe("the command line's popups", { timeout: 300_000 }, () => {
  let fakeChild;
  /** @type {FakeOzon} */
  let fake;

  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is built beside the app (cargo build -p ordertray-cli)`);
    removeDatabase(DB);
    const started = startFake(FAKE_BIN, ["--client-id", CLIENT_ID], "Ozon", { apiKey: API_KEY });
    fakeChild = started.child;
    const url = await started.url;
    fake = new FakeOzon(url);
    cli(["accounts", "add", "ozon", "--name", ACCOUNT, "--client-id", CLIENT_ID, "--api-key-stdin", "--base-url", url], API_KEY);
  });

  after(() => {
    fakeChild?.kill();
    removeDatabase(DB);
  });

  it("a sync that stores new orders pops them once on the desktop; one that finds nothing new pops nothing", async () => {
    const numbers = [await fake.newPosting(1), await fake.newPosting(2)];
    const seen = notifyCalls(NOTIFY_LOG).length;
    const out = cli(["sync", "--once"]);
    assert.match(out, /\b2 new\b/, out);
    // The run has ended: its popups were sent before it did (the process waits for them).
    await notifyLogCaughtUp();
    const popups = popupsSince(seen);
    assert.equal(popups.length, 1, `one popup for the run's orders:\n${popups.join("\n---\n")}`);
    assert.ok(numbers.some((n) => popups[0].includes(n)), `it names one of ${numbers}:\n${popups[0]}`);
    assert.match(popups[0], /2 new orders|2 новых заказа|2 nowe zamówienia/, "and counts both");

    const again = notifyCalls(NOTIFY_LOG).length;
    assert.match(cli(["sync", "--once"]), /\b0 new\b/);
    await notifyLogCaughtUp();
    assert.deepEqual(popupsSince(again), [], "nothing new, nothing announced");
  });

  it("a cron job, started without the session's bus address, still finds the desktop's bus and pops", async () => {
    // cron hands a command no DBUS_SESSION_BUS_ADDRESS; the session bus sits at its standard place,
    // $XDG_RUNTIME_DIR/bus (systemd's /run/user/UID/bus). Here that is a socket of this test's,
    // passing each connection on to this run's bus (libdbus takes a socket there, not a link).
    const socket = /unix:path=([^,;]+)/.exec(process.env.DBUS_SESSION_BUS_ADDRESS ?? "")?.[1];
    assert.ok(socket, `the test bus listens on a path: ${process.env.DBUS_SESSION_BUS_ADDRESS}`);
    const runtimeDir = mkdtempSync(join(tmpdir(), "ordertray-cron-"));
    const bus = createServer((client) => {
      const upstream = connect(socket);
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise((resolve) => bus.listen(join(runtimeDir, "bus"), resolve));
    try {
      const number = await fake.newPosting(1);
      const seen = notifyCalls(NOTIFY_LOG).length;
      const cronEnv = { ...process.env, XDG_RUNTIME_DIR: runtimeDir };
      delete cronEnv.DBUS_SESSION_BUS_ADDRESS;
      // Not a blocking call: this process passes the run's bus traffic on meanwhile.
      const { stdout } = await promisify(execFile)(CLI, ["--db", DB, "sync", "--once"], { encoding: "utf8", timeout: 120_000, env: cronEnv });
      assert.match(stdout, /\b1 new\b/, stdout);
      await notifyLogCaughtUp();
      const popups = popupsSince(seen);
      assert.equal(popups.length, 1, `one popup:\n${popups.join("\n---\n")}`);
      assert.ok(popups[0].includes(number), `it names ${number}:\n${popups[0]}`);
    } finally {
      bus.close();
      rmSync(runtimeDir, { recursive: true, force: true });
    }
  });
});
