// The ship-by countdown on an order's header, and the clock it counts from. Pure but for the
// hook, so that the wording is tested with a fixed "now".
import { relativeTimeFormat } from "../intl";
import { useEffect, useState } from "react";

export type Countdown = { text: string; overdue: boolean; minutes: number };

/** How long until (or since) the deadline, the way the language says it ("in 3 h", "2 h ago"). */
export function shipByCountdown(iso: string, locale: string, now: number): Countdown | null {
  const due = new Date(iso).getTime();
  if (Number.isNaN(due)) return null;
  const minutes = Math.round((due - now) / 60_000);
  const rtf = relativeTimeFormat(locale, { style: "short", numeric: "always" });
  const abs = Math.abs(minutes);
  const text =
    abs < 60
      ? rtf.format(minutes, "minute")
      : abs < 48 * 60
        ? rtf.format(Math.round(minutes / 60), "hour")
        : rtf.format(Math.round(minutes / (24 * 60)), "day");
  return { text, overdue: minutes < 0, minutes };
}

/** The time now, moving on every `everyMs` (a countdown needs no finer step than a minute). */
export function useNow(everyMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
