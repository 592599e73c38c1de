// End-to-end: a damaged database at start. The real app, given a file that is not a database
// (`--db`), opens on its recovery screen instead of failing or starting empty: it names the file,
// says the file is damaged, offers the backups found beside it (none here) and a new database, and
// leaves the file as it was. Quitting from that screen ends the app.
// (Restoring and starting anew restart the app, which a WebDriver session cannot follow; the engine
// tests in engine/tests/database.rs cover both on real files.)
// Run through tests/e2e/run.sh. This file has its own database.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";
import { appRunning, env, keepAutostart, leaveNothingBehind, removeDatabase, stepper, tid } from "./common.mjs";

const WEBDRIVER = env("E2E_WEBDRIVER_URL");
const APP = env("E2E_APP");
const OUT = env("E2E_OUT");
const HOME = env("E2E_HOME");
const DB = join(dirname(env("E2E_DB")), "damaged.db");

/** 128 KiB that SQLite cannot read as a database. */
const NOISE = Buffer.from(Array.from({ length: 128 * 1024 }, (_, i) => ((i * 7919) % 251) ^ 0x5a));

describe("a damaged database at start", { timeout: 240_000 }, () => {
  /** @type {Session} */
  let s;
  let restoreAutostart;
  const step = stepper(it, "recovery-", OUT, () => s);

  before(async () => {
    restoreAutostart = keepAutostart(HOME);
    removeDatabase(DB);
    writeFileSync(DB, NOISE);
    s = await Session.start(WEBDRIVER, APP, { timeout: 120_000, args: ["--db", DB] });
  });

  after(async () => {
    if (s) await s.deleteSession().catch(() => {});
    await leaveNothingBehind(DB);
    removeDatabase(DB);
    restoreAutostart?.();
  });

  step("the app opens on the recovery screen, naming the file and saying it is damaged", 90_000, async () => {
    const screen = await s.waitForElement(`${tid("database-problem")}[data-kind="damaged"]`, 60_000);
    assert.equal((await (await s.find(tid("database-problem-path"), screen)).text()).trim(), DB);
    const text = await screen.text();
    assert.match(text, /damaged|повреждён|uszkodzon/i, `recovery screen: ${text.slice(0, 400)}`);
    // No way around the problem into an app without its data.
    assert.equal((await s.findAll(tid("nav-inbox"))).length, 0, "the inbox is not offered");
    assert.ok((await s.findAll(tid("database-start-new"))).length === 1, "starting anew is offered");
    // The DOM is there before the first paint; a screenshot of it then is blank (4 KB of background).
    const shot = join(OUT, "recovery.png");
    await waitFor(async () => (await s.screenshot(shot), statSync(shot).size > 10_000), {
      timeout: 20_000,
      message: "the recovery screen to be painted",
    });
    assert.ok(NOISE.equals(readFileSync(DB)), "the damaged file is left as it was");
  });

  step("quitting from the recovery screen ends the app", 60_000, async () => {
    const quit = await s.waitForElement(tid("database-quit"));
    // The app may be gone before WebDriver answers the click; whether it is gone is checked below.
    await quit.click().catch(() => {});
    await leaveNothingBehind(DB);
    assert.equal(appRunning(DB), false, "the app is still running");
  });
});
