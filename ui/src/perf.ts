import { useEffect, useRef, useState } from "react";

/**
 * When each screen first showed its data, for the app benchmark (scripts/bench-app.sh reads it
 * through WebDriver): `interactiveAt` is the wall-clock time (ms since the epoch) the first screen
 * was painted with its data, which the benchmark compares with the process's start; `screens`
 * holds, per screen shown, the time from the sidebar's click that asked for it (else from its
 * mount) to that paint (`ms`) and to the render that first had the data (`dataMs`), from the click
 * to the mount (`openMs`: the wait for its first data, 0 without a click), and from its first
 * render to its first commit (`mountMs`).
 */
export interface PerfRecord {
  interactiveAt: number | null;
  screens: { screen: string; ms: number; dataMs: number; mountMs: number; openMs: number }[];
  /** The latest calls to the Rust side: when each was made (page clock) and how long it took. */
  calls: { command: string; at: number; ms: number }[];
}

declare global {
  interface Window {
    __ordertrayPerf?: PerfRecord;
  }
}

export function perfRecord(): PerfRecord {
  window.__ordertrayPerf ??= { interactiveAt: null, screens: [], calls: [] };
  return window.__ordertrayPerf;
}

/** At most this many screens are kept: a long session must not grow the record without end. */
const KEPT = 200;

/** Notes a call to the Rust side that started at `at` (performance.now()) and has just ended. */
export function noteCall(command: string, at: number): void {
  const calls = perfRecord().calls;
  calls.push({ command, at, ms: performance.now() - at });
  if (calls.length > KEPT) calls.shift();
}

/** The sidebar's last click not yet taken by the screen it asked for. */
let asked: { route: string; at: number } | null = null;

/** Notes that the sidebar was clicked to open `route`: the screen's first paint counts from here. */
export function noteNavigation(route: string): void {
  asked = { route, at: performance.now() };
}

/**
 * A screen opens at most this long after the click that asked for it (its wait for data is
 * shorter): an older click was for a visit that did not happen (another way was taken meanwhile).
 */
const CLICK_KEPT_MS = 1_000;

/** The click that asked for `screen` ("inbox:new" is the inbox's); any screen's mount takes it. */
function takeNavigation(screen: string): number | null {
  const click = asked;
  asked = null;
  if (click == null || performance.now() - click.at > CLICK_KEPT_MS) return null;
  return screen === click.route || screen.startsWith(`${click.route}:`) ? click.at : null;
}

/**
 * Notes the paint that first shows `screen` with its data (`ready`): once per mount, and again when
 * the same component shows another screen (the inbox's views).
 */
export function useScreenReady(screen: string, ready: boolean): void {
  const [since] = useState(() => new Map<string, number>());
  const [rendered] = useState(() => performance.now());
  const [clicked] = useState(() => takeNavigation(screen));
  const noted = useRef(new Set<string>());
  const committed = useRef<number | null>(null);
  if (!since.has(screen)) since.set(screen, since.size === 0 ? (clicked ?? rendered) : performance.now());
  useEffect(() => {
    committed.current ??= performance.now();
  }, []);
  useEffect(() => {
    if (!ready || noted.current.has(screen)) return;
    noted.current.add(screen);
    const start = since.get(screen) ?? performance.now();
    const dataMs = performance.now() - start;
    // A view shown after the component's mount took no mounting of its own.
    const first = since.keys().next().value === screen;
    const mountMs = first ? Math.max(0, (committed.current ?? rendered) - rendered) : 0;
    const openMs = first && clicked != null ? rendered - clicked : 0;
    // The first animation frame runs before the paint of this render; the second after it.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        const now = performance.now();
        const record = perfRecord();
        record.screens.push({ screen, ms: now - start, dataMs, mountMs, openMs });
        if (record.screens.length > KEPT) record.screens.shift();
        record.interactiveAt ??= performance.timeOrigin + now;
      }),
    );
  }, [ready, screen, since, rendered, clicked]);
}
