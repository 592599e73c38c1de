import { useEffect, useState } from "react";

/**
 * Whether `element` is in sight in the box that scrolls it, or within `margin` below that: what asks
 * a list's next page for a manager scrolling with the mouse, before the end is reached. Always false
 * where the webview has no IntersectionObserver (the UI tests' DOM); the element is then a button
 * to press instead.
 */
export function useInView(element: Element | null, margin = 300): boolean {
  const [inView, setInView] = useState(false);
  useEffect(() => {
    if (!element || typeof IntersectionObserver === "undefined") return;
    // The margin widens the box it is measured against: the page's own scrolling box, not the
    // window, which the box clips.
    const observer = new IntersectionObserver((entries) => setInView(entries.some((e) => e.isIntersecting)), {
      root: scrollingBox(element),
      rootMargin: `0px 0px ${margin}px 0px`,
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      setInView(false);
    };
  }, [element, margin]);
  return inView;
}

/** The nearest box around `element` that scrolls vertically; none: the window. */
function scrollingBox(element: Element): Element | null {
  for (let box = element.parentElement; box; box = box.parentElement) {
    const { overflowY } = getComputedStyle(box);
    if (overflowY === "auto" || overflowY === "scroll") return box;
  }
  return null;
}
