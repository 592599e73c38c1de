// What the integrations reading a shop's orders (WooCommerce, Cartum, Shopify, Amazon) share in their
// account forms: the address the keys may go to, and the options every such shop has.
import { useState } from "react";
import type { ProductKey } from "../bindings/ProductKey";
import { wholeNumber } from "../cabinet/draft";

/** The most days the engine accepts for a sync's reach. */
export const MAX_DAYS = 3650;

export const daysInRange = (days: number): boolean => Number.isInteger(days) && days >= 1 && days <= MAX_DAYS;

/** A typed address as the engine stores it: a trailing slash is the same address. */
export const trimmedAddress = (url: string): string => url.trim().replace(/\/+$/, "");

/**
 * Whether a secret may go to this address: https, or plain http only to this computer (a local test
 * store), where nobody on the way could read it. The engine refuses the rest too (secure_enough in
 * connectors/src/http_policy.rs); saying it here names the fix before anything is sent.
 */
export function keySafeAt(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === "https:") return parsed.hostname !== "";
  if (parsed.protocol !== "http:") return false;
  const host = parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A number of days as typed: an emptied field stays empty while the settings hold the number. */
export function DaysField(props: {
  label: string;
  testId: string;
  value: number;
  hint: string;
  onChange: (days: number) => void;
}) {
  const [typed, setTyped] = useState(() => String(props.value));
  return (
    <label>
      {props.label}
      <input
        data-testid={props.testId}
        type="number"
        min={1}
        max={MAX_DAYS}
        value={typed}
        onChange={(e) => {
          setTyped(e.target.value);
          props.onChange(wholeNumber(e.target.value));
        }}
      />
      <span className="hint">{props.hint}</span>
    </label>
  );
}

/** A yes/no option, with a hint under it when there is one. */
export function CheckField(props: {
  label: string;
  testId: string;
  value: boolean;
  onChange: (checked: boolean) => void;
  hint?: string;
}) {
  return (
    <>
      <label className="checkbox">
        <input
          data-testid={props.testId}
          type="checkbox"
          checked={props.value}
          onChange={(e) => props.onChange(e.target.checked)}
        />
        {props.label}
      </label>
      {props.hint && <span className="hint">{props.hint}</span>}
    </>
  );
}

export function AcceptOnArrivalField(props: { label: string; hint: string; value: boolean; onChange: (accept: boolean) => void }) {
  return <CheckField testId="account-accept-on-arrival" {...props} />;
}

const PRODUCT_KEYS: readonly ProductKey[] = ["sku", "name", "id"];

const productKeyOf = (v: string): ProductKey => PRODUCT_KEYS.find((k) => k === v) ?? "sku";

/** How an order's items find their products in the catalog; `names` word each key for this shop. */
export function ProductKeyField(props: {
  label: string;
  names: Record<ProductKey, string>;
  value: ProductKey;
  onChange: (key: ProductKey) => void;
}) {
  return (
    <label>
      {props.label}
      <select
        data-testid="account-identify-by"
        value={props.value}
        onChange={(e) => props.onChange(productKeyOf(e.target.value))}
      >
        {PRODUCT_KEYS.map((key) => (
          <option key={key} value={key}>
            {props.names[key]}
          </option>
        ))}
      </select>
    </label>
  );
}
