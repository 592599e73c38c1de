import { useEffect, useRef, useState } from "react";

/**
 * When each screen first showed its data, for the app benchmark (scripts/bench-app.sh reads it
 * through WebDriver): `interactiveAt` is the wall-clock time (ms since the epoch) the first screen
 * was painted with its data, which the benchmark compares with the process's start; `screens`
 * holds, per screen shown, the time from its mount to that paint.
 */
export interface PerfRecord {
  interactiveAt: number | null;
  screens: { screen: string; ms: number }[];
}

declare global {
  interface Window {
    __ordertrayPerf?: PerfRecord;
  }
}

export function perfRecord(): PerfRecord {
  window.__ordertrayPerf ??= { interactiveAt: null, screens: [] };
  return window.__ordertrayPerf;
}

/** At most this many screens are kept: a long session must not grow the record without end. */
const KEPT = 200;

/**
 * Notes the paint that first shows `screen` with its data (`ready`): once per mount, and again when
 * the same component shows another screen (the inbox's views).
 */
export function useScreenReady(screen: string, ready: boolean): void {
  const [since] = useState(() => new Map<string, number>());
  const noted = useRef(new Set<string>());
  if (!since.has(screen)) since.set(screen, performance.now());
  useEffect(() => {
    if (!ready || noted.current.has(screen)) return;
    noted.current.add(screen);
    const start = since.get(screen) ?? performance.now();
    // The first animation frame runs before the paint of this render; the second after it.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        const now = performance.now();
        const record = perfRecord();
        record.screens.push({ screen, ms: now - start });
        if (record.screens.length > KEPT) record.screens.shift();
        record.interactiveAt ??= performance.timeOrigin + now;
      }),
    );
  }, [ready, screen, since]);
}
