import { useEffect, useState } from "react";

/**
 * Whether `element` is on screen or within `margin` below it, as the page scrolls: what asks a
 * list's next page for a manager scrolling with the mouse. Always false where the webview has no
 * IntersectionObserver (the UI tests' DOM); the element is then a button to press instead.
 */
export function useInView(element: Element | null, margin = 300): boolean {
  const [inView, setInView] = useState(false);
  useEffect(() => {
    if (!element || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => setInView(entries.some((e) => e.isIntersecting)), {
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
