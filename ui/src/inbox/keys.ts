// Maps a key press to an inbox command. Pure, so the key table is tested without a DOM.
export type InboxCommand =
  | "down"
  | "up"
  | "nextOrder"
  | "prevOrder"
  | "toggle"
  | "toggleAll"
  | "accept"
  | "reject"
  | "delete"
  | "restore"
  | "open"
  | "offer"
  | "escape"
  | "help"
  | "search"
  | "undo";

export type KeyLike = {
  key: string;
  /** The physical key (`KeyA`), whatever the layout. */
  code?: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
};

/**
 * The key as the Latin layout names it: with a Cyrillic (or any non-Latin) layout on, `a` comes as
 * "ф" and `j` as "о"; the shortcuts go by the physical key then, as a manager switching between
 * Russian text and the inbox expects.
 */
export function latinKey(e: KeyLike): string {
  const letter = /^Key([A-Z])$/.exec(e.code ?? "")?.[1];
  if (!letter || e.key.length !== 1 || /[\x20-\x7e]/.test(e.key)) return e.key;
  return e.shiftKey ? letter : letter.toLowerCase();
}

export function commandFor(e: KeyLike): InboxCommand | null {
  const key = latinKey(e);
  // Ctrl+Z (⌘Z on a Mac) is everyone's undo; the other modified keys belong to the system.
  if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && key.toLowerCase() === "z") return "undo";
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (key) {
    case "j":
    case "ArrowDown":
      return "down";
    case "k":
    case "ArrowUp":
      return "up";
    // Shift+j / Shift+k: from order to order (the cursor lands on the order's header).
    case "J":
      return "nextOrder";
    case "K":
      return "prevOrder";
    case "x":
    case " ":
      return "toggle";
    case "*":
      return "toggleAll";
    case "a":
      return "accept";
    case "r":
      return "reject";
    case "Delete":
    case "#":
      return "delete";
    case "u":
      return "restore";
    case "Enter":
      return "open";
    case "o":
      return "offer";
    case "Escape":
      return "escape";
    case "?":
      return "help";
    case "/":
      return "search";
    case "z":
      return "undo";
    default:
      return null;
  }
}

/** Typing in a field must never triage an order. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (target as HTMLInputElement).type;
    return type !== "checkbox" && type !== "radio" && type !== "button";
  }
  return false;
}

/** Enter and Space on a focused button or checkbox belong to that control, not to the inbox. */
export function isControlActivation(e: { key: string; target: EventTarget | null }): boolean {
  if (e.key !== "Enter" && e.key !== " ") return false;
  const t = e.target;
  return t instanceof HTMLButtonElement || t instanceof HTMLInputElement || t instanceof HTMLAnchorElement;
}
