import { useEffect, useState } from "react";

/** Rows drawn before the first paint: more than a screenful. */
export const ROWS_AT_FIRST = 100;
/** Rows added per animation frame after it (a few tens of milliseconds of layout each). */
export const ROWS_PER_STEP = 150;

/**
 * How many of a long list's rows to draw now: a screenful at once, the rest a step per frame
 * after the first paint. Customers' thousand rows drawn in one go held the screen's first paint
 * for 200 ms of layout of rows below the fold. `atLeast` rows (down to the one under the
 * keyboard's cursor) are always drawn.
 */
export function useRowsInSteps(total: number, atLeast = 0): number {
  const [drawn, setDrawn] = useState(ROWS_AT_FIRST);
  useEffect(() => {
    if (drawn >= total) return;
    const frame = requestAnimationFrame(() => setDrawn((n) => n + ROWS_PER_STEP));
    return () => cancelAnimationFrame(frame);
  }, [drawn, total]);
  return Math.min(total, Math.max(drawn, atLeast));
}
