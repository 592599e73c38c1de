/**
 * Puts text that is still being fetched on the clipboard. WebKit (the app's webview on Linux and
 * macOS) allows a clipboard write only within the click that asked for it: a `writeText` after
 * awaiting the engine is refused as "not allowed by the user agent". A `ClipboardItem` given the
 * pending text is written within the click and filled in when the text arrives. Where there is no
 * `ClipboardItem` (test DOMs), the text is written once it is there.
 */
export async function copyPending(text: Promise<string>): Promise<void> {
  if (typeof ClipboardItem !== "undefined" && typeof navigator.clipboard.write === "function") {
    const blob = text.then((t) => new Blob([t], { type: "text/plain" }));
    await navigator.clipboard.write([new ClipboardItem({ "text/plain": blob })]);
    return;
  }
  await navigator.clipboard.writeText(await text);
}
