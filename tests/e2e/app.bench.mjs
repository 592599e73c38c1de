// The app itself (issue 18, goal 6), measured on the real app under Xvfb: start to interactive on an
// empty and on a large database, the memory of the app and its web processes (PSS) on each, idle CPU
// over a minute with an account polling every minute, and the delay from the poll that sees a new
// order to its popup. Not one of the *.test.mjs files the suite runs: scripts/bench-app.sh builds the
// release app and the large database, then runs this file through tests/e2e/run.sh. The figures go to
// $E2E_OUT/app-bench.json and the test log.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { FakeOzon } from "./fake.mjs";
import { env, leaveNothingBehind, notifyCalls, removeDatabase, tid } from "./common.mjs";

const WEBDRIVER = env("E2E_WEBDRIVER_URL");
const APP = env("E2E_APP");
const OUT = env("E2E_OUT");
const BIG_DB = env("E2E_BENCH_BIG_DB");
const CLI = env("E2E_BENCH_CLI");
const DIR = dirname(env("E2E_DB"));
const STARTS = Number(process.env.E2E_BENCH_STARTS ?? 3);
/** How long the app settles after its first screen before its memory is read. */
const SETTLE_MS = 5_000;
const IDLE_MS = 60_000;
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
const BOOT_MS = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))[1]) * 1000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function stat(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name may hold spaces and parentheses: the fields start after its last ')'.
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}

/** The app's process on `db` (started through WebKitWebDriver, so found by its arguments). */
function appPid(db) {
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (args.includes(db) && args.includes("--db")) return Number(pid);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

/** The app and every process under it (WebKit's web and network processes). */
function family(root) {
  const parent = new Map();
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      parent.set(Number(pid), Number(stat(pid)[1]));
    } catch {
      // gone meanwhile
    }
  }
  const within = (pid) => {
    for (let p = pid; p > 1; p = parent.get(p) ?? 0) if (p === root) return true;
    return false;
  };
  return [...parent.keys()].filter(within);
}

function processName(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "?";
  }
}

/** PSS in MB per process name of the app's family (shared pages split among the processes sharing them). */
function pss(root) {
  const byName = {};
  for (const pid of family(root)) {
    try {
      const kb = Number(/^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))[1]);
      const name = processName(pid);
      byName[name] = (byName[name] ?? 0) + kb / 1024;
    } catch {
      // gone meanwhile
    }
  }
  const total = Object.values(byName).reduce((a, b) => a + b, 0);
  return { total, byName };
}

/** CPU time (user + system) of the app's family, in seconds. */
function cpuSeconds(root) {
  let ticks = 0;
  for (const pid of family(root)) {
    try {
      const f = stat(pid);
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / CLOCK_TICKS;
}

/**
 * Starts the app on `db` and waits for its first screen with data; returns the session, the app's
 * process id and the time from the process's start to that paint (the UI notes the paint's wall time
 * in window.__ordertrayPerf, the kernel the process's start).
 */
async function start(db) {
  const s = await Session.start(WEBDRIVER, APP, { timeout: 120_000, args: ["--db", db] });
  const perf = await waitFor(
    async () => {
      const p = await s.executeScript("return window.__ordertrayPerf ?? null;");
      return p?.interactiveAt ? p : null;
    },
    { timeout: 120_000, interval: 50, message: "the first screen with its data" },
  );
  const pid = appPid(db);
  assert.ok(pid, `the app's process on ${db}`);
  const startedAt = BOOT_MS + (Number(stat(pid)[19]) / CLOCK_TICKS) * 1000;
  return { s, pid, interactiveMs: perf.interactiveAt - startedAt, screen: perf.screens[0]?.screen };
}

async function stop(s, db) {
  await s.deleteSession().catch(() => {});
  await leaveNothingBehind(db);
}

const figures = {};
const report = (key, value) => {
  figures[key] = value;
  writeFileSync(join(OUT, "app-bench.json"), JSON.stringify(figures, null, 2));
  console.log(`# ${key}: ${JSON.stringify(value)}`);
};

/** Starts on a fresh copy of `source` (null: an empty database) `STARTS` times; the median start and the last memory. */
async function startsOn(label, source) {
  const db = join(DIR, `bench-${label}.db`);
  const starts = [];
  let memory;
  for (let i = 0; i < STARTS; i++) {
    removeDatabase(db);
    if (source) copyFileSync(source, db);
    const { s, pid, interactiveMs, screen } = await start(db);
    starts.push(Math.round(interactiveMs));
    if (i === STARTS - 1) {
      await sleep(SETTLE_MS);
      memory = pss(pid);
      await s.screenshot(join(OUT, `app-bench-${label}.png`));
    }
    await stop(s, db);
    assert.ok(screen, "a screen was noted");
  }
  removeDatabase(db);
  return { starts, median: median(starts), memory };
}

describe("the app itself", { timeout: 900_000 }, () => {
  after(() => leaveNothingBehind(join(DIR, "bench-polling.db")));

  it("starts to interactive and holds its memory, on an empty and on a large database", async () => {
    const empty = await startsOn("empty", null);
    report("start to interactive, empty database (ms)", empty);
    const big = await startsOn("large", BIG_DB);
    report("start to interactive, large database (ms)", big);
    report("memory large / empty (PSS)", Number((big.memory.total / empty.memory.total).toFixed(2)));
  });

  it("is quiet while polling every minute, and shows a new order's popup right after the poll that sees it", async () => {
    const db = join(DIR, "bench-polling.db");
    removeDatabase(db);
    execFileSync(
      CLI,
      ["--db", db, "accounts", "add", "ozon", "--name", "Bench", "--client-id", env("E2E_CLIENT_ID"),
        "--api-key-stdin", "--base-url", env("E2E_FAKE_URL"), "--interval", "60"],
      // Into the keychain: the app started through WebDriver does not have this file's environment.
      { encoding: "utf8", timeout: 60_000, input: env("E2E_API_KEY") },
    );
    const fake = new FakeOzon(env("E2E_FAKE_URL"));
    const polls = async () => (await fake.calls()).filter((c) => c.path === "/v4/posting/fbs/unfulfilled/list").length;
    const before = await polls();
    const { s, pid } = await start(db);
    try {
      await waitFor(async () => (await polls()) > before, { timeout: 60_000, message: "the first poll" });
      await s.waitForElement(tid("nav-inbox"));
      await sleep(SETTLE_MS);
      const cpu0 = cpuSeconds(pid);
      const t0 = performance.now();
      await sleep(IDLE_MS);
      const cpu = cpuSeconds(pid) - cpu0;
      const wall = (performance.now() - t0) / 1000;
      const polled = (await polls()) - before;
      report("idle CPU over a minute, polling every minute (% of one core)", {
        percent: Number(((cpu / wall) * 100).toFixed(3)),
        cpu_seconds: cpu,
        wall_seconds: Number(wall.toFixed(1)),
        polls_so_far: polled,
      });

      const number = await fake.newPosting(1);
      const seen = await polls();
      // The poll as this file sees it reach the fake (asked every 5 ms); the popup at the time
      // dbus-monitor stamped its Notify call (the session bus's clock is this machine's).
      let pollAt = 0;
      let popup;
      await waitFor(
        async () => {
          if (!pollAt && (await polls()) > seen) pollAt = Date.now();
          popup ??= notifyCalls(env("E2E_NOTIFY_LOG")).find((m) => m.includes(number));
          return pollAt > 0 && popup !== undefined;
        },
        { timeout: 150_000, interval: 5, message: `the poll and the popup for ${number}` },
      );
      const popupAt = Number(/ time=(\d+\.\d+)/.exec(popup)?.[1]) * 1000;
      assert.ok(popupAt > 0, `no time in the Notify call: ${popup.split("\n")[0]}`);
      report("poll to popup (ms)", Math.round(popupAt - pollAt));
    } finally {
      await stop(s, db);
    }
  });
});
