import { useEffect, useState, type CSSProperties } from "react";

/** Rows drawn beyond the window's edge once the list has been painted, for scrolling. */
export const OVERSCAN = 12;
/** Before that, a couple: a screen's first layout is mostly its rows' (about 1 ms a row here). */
const FIRST_OVERSCAN = 2;

/**
 * The virtualizer's options for a list's first frame: the window's size stands for the list's box
 * until it is measured, so that the first render already has the rows in view (with nothing to go
 * by, the virtualizer draws none, and the rows come in a second render and layout after the
 * screen's commit); the rows beyond the edge come once that frame is painted (two animation
 * frames: the first runs before the paint, the second after it).
 */
export function useFirstFrameRows(): { overscan: number; initialRect: { width: number; height: number } } {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    let frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(() => setPainted(true));
    });
    return () => cancelAnimationFrame(frame);
  }, []);
  return { overscan: painted ? OVERSCAN : FIRST_OVERSCAN, initialRect: { width: window.innerWidth, height: window.innerHeight } };
}

/**
 * A virtual row's place: `top`, not a transform. A transformed row is a layer of its own to lay
 * out and paint, and the webview paints without compositing where there is no GPU.
 */
export function rowPlace(top: number, height: number): CSSProperties {
  return { position: "absolute", top, left: 0, right: 0, height };
}
