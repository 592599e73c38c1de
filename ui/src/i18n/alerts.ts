// In-app alert banners worded in the manager's language. The engine sends each announcement as a
// code (`kind`), how many events it covers (`count`) and plain arguments (`args`: the first order's
// number, the account, the marketplace, the rule's name / status / error, the call that failed);
// each catalog's `alerts.banner` words every kind. Text only: React escapes it. OS popups are worded
// by the engine (`core/src/notify_text.rs`), since they show without the window.
import type { AlertArgs } from "../bindings/AlertArgs";
import type { AlertKind } from "../bindings/AlertKind";
import type { EngineEvent } from "../bindings/EngineEvent";
import type { Messages } from "./en";

export type AlertEvent = Extract<EngineEvent, { type: "alert" }>;

/** One language's words for every kind of banner: `count` events, the first named by `a`. */
export type AlertWords = { [K in AlertKind]: (a: AlertArgs, count: number, t: Messages) => string };

/** The call a failed update was for, in the catalog's language; else the order's number. */
export function failedCall(a: AlertArgs, t: Messages): string {
  return a.effect == null ? a.number : t.events.effect(a.effect, t);
}

/**
 * "Market «Shop A»: what happened" with the language's quotes; for an account deleted meanwhile
 * (no source at all) the sentence alone, with a capital.
 */
export function fromSource(a: AlertArgs, [open, close]: readonly [string, string], what: string): string {
  const who = a.account === "" ? a.marketplace : `${a.marketplace} ${open}${a.account}${close}`.trim();
  return who === "" ? what.charAt(0).toLocaleUpperCase() + what.slice(1) : `${who}: ${what}`;
}

/** The banner in the catalog's language; a kind this version does not know shows its name. */
export function alertText(e: Pick<AlertEvent, "kind" | "count" | "args">, t: Messages): string {
  const banner = t.alerts.banner as Record<string, AlertWords[AlertKind] | undefined>;
  const word = Object.prototype.hasOwnProperty.call(banner, e.kind) ? banner[e.kind] : undefined;
  if (word == null) return String(e.kind);
  return word(e.args, Math.max(1, e.count), t);
}
