// Timeline events (an order's history, an account's log) worded in the manager's language.
// The engine stores each event as a code (`kind`) with plain arguments (`args`); each catalog's
// `events` words every kind. Rows written before events had arguments, and kinds this version does
// not know, show the English `message` the engine stored with them. Text only: React escapes it.
import type { EffectWords } from "../bindings/EffectWords";
import type { EventView } from "../bindings/EventView";
import type { TimelineEvent } from "../bindings/TimelineEvent";
import type { Messages } from "./en";

export type TimelineKind = TimelineEvent["kind"];
export type EventOf<K extends TimelineKind> = Extract<TimelineEvent, { kind: K }>;

/** One language's words for every kind of event, and for the marketplace calls they mention. */
export type EventWords = {
  kinds: { [K in TimelineKind]: (e: EventOf<K>, t: Messages) => string };
  effect: (e: EffectWords, t: Messages) => string;
};

type AnyWording = (e: never, t: Messages) => string;

/** The event in the catalog's language, else its stored English message. */
export function eventText(e: Pick<EventView, "kind" | "args" | "message">, t: Messages): string {
  if (e.args == null) return e.message;
  const kinds = t.events.kinds as Record<string, AnyWording | undefined>;
  const word = Object.prototype.hasOwnProperty.call(kinds, e.kind) ? kinds[e.kind] : undefined;
  if (word == null) return e.message;
  // A wording that reads an argument the row lacks (written by another version) is not used.
  let missing = false;
  const values: Record<string, unknown> = { ...e.args, kind: e.kind };
  const event = new Proxy(values, {
    get(target, key) {
      if (typeof key === "string" && !(key in target)) missing = true;
      return target[key as string];
    },
  });
  try {
    const text = word(event as never, t);
    return missing ? e.message : text;
  } catch {
    return e.message;
  }
}

/** An event the engine answered with (not stored yet), in the catalog's language. */
export function timelineText(e: TimelineEvent, t: Messages): string {
  const { kind, ...args } = e;
  return eventText({ kind, args: args as EventView["args"], message: kind }, t);
}
