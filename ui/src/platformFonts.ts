// The font list the page asks for, per platform. WebKitGTK (the webview on Linux) resolves a font
// through fontconfig for every new size, weight and numeric style a page uses, and every name of
// the list the system lacks costs a lookup of its own: with the cross-platform list (five names
// before sans-serif, none of them on a usual Linux desktop) a font new to the page cost ~20 ms
// here against ~8 ms, and a screen's first visit uses several (All orders' first layout was mostly
// this). Linux gets the desktop's UI font, then its sans-serif; the others keep the full list.

/** Whether the page runs in the Linux webview (WebKitGTK), from its user agent. */
export function isLinuxWebview(userAgent: string): boolean {
  return /\bLinux\b/.test(userAgent) && !/\bAndroid\b/.test(userAgent);
}

/** Marks the document's platform before its first render, so the first paint uses the right list. */
export function applyPlatformFonts(root: HTMLElement = document.documentElement, userAgent = navigator.userAgent): void {
  if (isLinuxWebview(userAgent)) root.dataset.platform = "linux";
  else delete root.dataset.platform;
}
