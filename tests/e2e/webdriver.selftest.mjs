// Self-test of the WebDriver client (run by `tests/e2e/run.sh --infra-check`): drives WebKitGTK's
// MiniBrowser through tauri-driver on a small page, so the client is checked before the app exists.
// Not matched by *.test.mjs: the full end-to-end run does not include it.
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { Session, waitFor } from "./webdriver.mjs";

const BROWSER = process.env.E2E_SELFTEST_BROWSER;
const OUT = process.env.E2E_OUT ?? ".";
const PAGE = `<!doctype html><html><body>
<input data-testid="name"><button data-testid="go" data-kind="primary">go</button>
<p id="out"></p><ul id="keys"></ul>
<script>
  document.querySelector("[data-testid=go]").onclick = () =>
    (document.getElementById("out").textContent = "hello " + document.querySelector("input").value);
  document.addEventListener("keydown", (e) => {
    if (e.target.tagName !== "INPUT") document.getElementById("keys").insertAdjacentHTML("beforeend", "<li>" + e.key + "</li>");
  });
</script></body></html>`;

let s;
before(async () => {
  assert.ok(BROWSER, "E2E_SELFTEST_BROWSER is not set");
  // MiniBrowser needs --automation; the Tauri app does not (tauri-driver tells it through its environment).
  s = await Session.start(process.env.E2E_WEBDRIVER_URL, BROWSER, { args: ["--automation"], timeout: 60_000 });
  await s.navigate("data:text/html," + encodeURIComponent(PAGE));
});
after(async () => {
  if (s) await s.deleteSession().catch(() => {});
});

it("finds, types, clicks, reads text and attributes", { timeout: 30_000 }, async () => {
  await (await s.waitForElement("[data-testid=name]")).sendKeys("Ozon");
  const go = await s.find("[data-testid=go]");
  assert.equal(await go.attribute("data-kind"), "primary");
  await go.click();
  assert.equal(await (await s.find("#out")).text(), "hello Ozon");
  assert.equal((await s.findAll("[data-testid]")).length, 2);
  assert.equal((await s.findAll("[data-testid=missing]")).length, 0);
});

it("sends page-level key presses", { timeout: 30_000 }, async () => {
  await (await s.find("#out")).click(); // away from the input
  await s.executeScript("document.activeElement.blur()");
  await s.press("x", "j", "a");
  const keys = await waitFor(
    () => s.executeScript("return [...document.querySelectorAll('#keys li')].map((li) => li.textContent).join('')"),
    { timeout: 5_000, message: "three keydown events" },
  );
  assert.equal(keys, "xja");
});

it("runs scripts and takes screenshots", { timeout: 30_000 }, async () => {
  assert.equal(await s.executeScript("return arguments[0] + 1", [41]), 42);
  const file = await s.screenshot(join(OUT, "webdriver-selftest.png"));
  assert.ok(existsSync(file) && statSync(file).size > 1000, "screenshot written");
});
