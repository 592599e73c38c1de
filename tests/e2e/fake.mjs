// Client for the fake Ozon server's admin API (ordertray-fake-ozon, /__fake/*).
import { waitFor } from "./webdriver.mjs";

export class FakeOzon {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
  }

  async request(method, path, body) {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`fake ${method} ${path} -> HTTP ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }

  /** Publish a new posting with `products` products; returns its posting number. */
  async newPosting(products) {
    const v = await this.request("POST", "/__fake/postings", { generate: 1, products });
    if (!Array.isArray(v?.posting_numbers) || v.posting_numbers.length !== 1) {
      throw new Error(`unexpected answer from POST /__fake/postings: ${JSON.stringify(v)}`);
    }
    return v.posting_numbers[0];
  }

  /** The posting as the fake serves it (Ozon's posting JSON: products[].sku, ...). */
  posting(number) {
    return this.request("GET", `/__fake/postings/${encodeURIComponent(number)}`);
  }

  /** Every call the fake received: [{path, client_id, api_key_ok, body, status}]. */
  async calls() {
    const v = await this.request("GET", "/__fake/calls");
    return Array.isArray(v) ? v : (v?.calls ?? []);
  }

  /** Wait for a successful call to `path` about `number`; a timeout lists the matching calls seen. */
  async waitForCall(path, number, timeout = 30_000) {
    let seen = [];
    try {
      return await waitFor(
        async () => {
          seen = (await this.calls()).filter((c) => c.path === path && c.body?.posting_number === number);
          return seen.find((c) => c.status >= 200 && c.status < 300 && c.api_key_ok !== false);
        },
        { timeout, message: `a successful POST ${path} for ${number} at the fake` },
      );
    } catch (e) {
      throw new Error(`${e.message}; matching calls: ${JSON.stringify(seen)}`);
    }
  }
}

// Client for the fake ZZAP server's admin API (ordertray-fake-zzap, /__fake/*).
export class FakeZzap {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
  }

  request(method, path, body) {
    return FakeOzon.prototype.request.call(this, method, path, body);
  }

  /** Publish `n` new buyer orders (one row, one line each); returns their code_order numbers. */
  async newOrders(n) {
    const codes = await this.request("POST", "/__fake/generate", { n });
    if (!Array.isArray(codes) || codes.length !== n) {
      throw new Error(`unexpected answer from POST /__fake/generate: ${JSON.stringify(codes)}`);
    }
    return codes.map(String);
  }

  /** The order row as the fake serves it (ZZAP's JSON: code_order, partnumber, code_track, ...). */
  order(code) {
    return this.request("GET", `/__fake/orders/${encodeURIComponent(code)}`);
  }

  /** Every call the fake received: [{method, params (no secrets), credentials_ok, status, error}]. */
  calls() {
    return this.request("GET", "/__fake/calls");
  }
}

// Client for the fake Gettzap's admin API (ordertray-fake-gettzap, /__fake/*). Gettzap pushes its
// orders, so the fake serves none: a test posts them to the app's intake itself.
export class FakeGettzap {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
  }

  request(method, path, body) {
    return FakeOzon.prototype.request.call(this, method, path, body);
  }

  /** Every status call received, in order: [{order_id, position_id, status, comment, credentials_ok, http_status}]. */
  async calls() {
    const v = await this.request("GET", "/__fake/calls");
    if (!Array.isArray(v)) throw new Error(`unexpected answer from GET /__fake/calls: ${JSON.stringify(v)}`);
    return v;
  }
}
