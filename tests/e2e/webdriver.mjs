// A tiny W3C WebDriver client over fetch (Node >= 20), enough to drive the Tauri app through tauri-driver.
// https://www.w3.org/TR/webdriver2/
import { writeFile } from "node:fs/promises";

const ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf";

export class WebDriverError extends Error {
  constructor(method, path, status, value) {
    const detail = value && typeof value === "object" ? `${value.error}: ${value.message}` : String(value);
    super(`WebDriver ${method} ${path} -> HTTP ${status} ${detail}`);
    this.status = status;
    this.error = value?.error;
  }
}

async function call(baseUrl, method, path, body, timeoutMs = 30_000) {
  let res;
  try {
    res = await fetch(baseUrl + path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new Error(`WebDriver ${method} ${path} failed: ${e.message}`, { cause: e });
  }
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new WebDriverError(method, path, res.status, text.slice(0, 500));
  }
  if (!res.ok || (json.value && typeof json.value === "object" && json.value.error)) {
    throw new WebDriverError(method, path, res.status, json.value ?? json);
  }
  return json.value;
}

/** Poll `predicate` (sync or async) until it returns a truthy value; errors count as "not yet". */
export async function waitFor(predicate, { timeout = 30_000, interval = 250, message = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const v = await predicate();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const why = lastError ? ` (last error: ${lastError.message})` : "";
      throw new Error(`timed out after ${timeout} ms waiting for ${message}${why}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

export class Element {
  constructor(session, id, selector) {
    this.session = session;
    this.id = id;
    this.selector = selector;
  }
  #path(suffix) {
    return `/element/${this.id}${suffix}`;
  }
  click() {
    return this.session.cmd("POST", this.#path("/click"), {});
  }
  clear() {
    return this.session.cmd("POST", this.#path("/clear"), {});
  }
  /** Type text into the element (W3C "Element Send Keys"). */
  sendKeys(text) {
    return this.session.cmd("POST", this.#path("/value"), { text: String(text) });
  }
  text() {
    return this.session.cmd("GET", this.#path("/text"));
  }
  attribute(name) {
    return this.session.cmd("GET", this.#path(`/attribute/${encodeURIComponent(name)}`));
  }
  property(name) {
    return this.session.cmd("GET", this.#path(`/property/${encodeURIComponent(name)}`));
  }
  displayed() {
    return this.session.cmd("GET", this.#path("/displayed"));
  }
  find(css) {
    return this.session.find(css, this);
  }
  findAll(css) {
    return this.session.findAll(css, this);
  }
}

export class Session {
  constructor(baseUrl, id) {
    this.baseUrl = baseUrl;
    this.id = id;
  }

  /**
   * Start the app through tauri-driver. Only `tauri:options` goes in the capabilities: adding
   * browserName makes session creation fail.
   */
  static async start(baseUrl, application, { timeout = 120_000, args } = {}) {
    const options = args ? { application, args } : { application };
    const caps = { capabilities: { alwaysMatch: { "tauri:options": options } } };
    let value;
    try {
      value = await call(baseUrl, "POST", "/session", caps, timeout);
    } catch (e) {
      throw new Error(`could not start ${application} through ${baseUrl} within ${timeout} ms: ${e.message}`, {
        cause: e,
      });
    }
    if (!value?.sessionId) throw new Error(`no sessionId in new-session answer: ${JSON.stringify(value)}`);
    return new Session(baseUrl, value.sessionId);
  }

  cmd(method, path, body, timeoutMs) {
    return call(this.baseUrl, method, `/session/${this.id}${path}`, body, timeoutMs);
  }

  async find(css, parent) {
    const scope = parent ? `/element/${parent.id}` : "";
    const v = await this.cmd("POST", `${scope}/element`, { using: "css selector", value: css });
    return new Element(this, v[ELEMENT_KEY], css);
  }

  async findAll(css, parent) {
    const scope = parent ? `/element/${parent.id}` : "";
    const list = await this.cmd("POST", `${scope}/elements`, { using: "css selector", value: css });
    return list.map((v) => new Element(this, v[ELEMENT_KEY], css));
  }

  /** Wait until `css` matches an element and return it. */
  waitForElement(css, timeout = 30_000) {
    return waitFor(() => this.find(css), { timeout, message: `element ${css}` });
  }

  /** Press keys on the page (keyboard input action): each key goes down then up. */
  async press(...keys) {
    const actions = [];
    for (const k of keys) actions.push({ type: "keyDown", value: k }, { type: "keyUp", value: k });
    await this.cmd("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] });
    await this.cmd("DELETE", "/actions");
  }

  /** Load a URL (the Tauri app loads its own page; used by the self-test). */
  navigate(url) {
    return this.cmd("POST", "/url", { url }, 60_000);
  }

  executeScript(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  async screenshot(file) {
    // Without compositing (the app's choice where there is no GPU, as under Xvfb) WebKit answers a
    // screenshot with a frame painted after it was asked for, and an idle page paints none: while
    // it is taken, the page's opacity moves between two values no one can tell apart, every frame.
    await this.executeScript(`
      const root = document.documentElement;
      const flicker = () => {
        root.style.opacity = root.style.opacity === "0.999" ? "0.998" : "0.999";
        window.__ordertrayShot = requestAnimationFrame(flicker);
      };
      flicker();`);
    try {
      const b64 = await this.cmd("GET", "/screenshot", undefined, 60_000);
      await writeFile(file, Buffer.from(b64, "base64"));
    } finally {
      await this.executeScript(`
        cancelAnimationFrame(window.__ordertrayShot);
        document.documentElement.style.opacity = "";`).catch(() => {});
    }
    return file;
  }

  deleteSession() {
    return this.cmd("DELETE", "", undefined, 30_000);
  }
}

/** Same as Session.start. */
export const newSession = (baseUrl, application, options) => Session.start(baseUrl, application, options);
