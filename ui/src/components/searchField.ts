import { useEffect, type RefObject } from "react";
import { isTypingTarget } from "../inbox/keys";

/** How long typing pauses before a list over many rows searches for what is typed. */
export const SEARCH_SETTLE_MS = 250;

/** "/" goes to the screen's search field (selecting what it holds), as in All orders. */
export function useSlashToSearch(field: RefObject<HTMLInputElement | null>) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return;
      e.preventDefault();
      field.current?.focus();
      field.current?.select();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [field]);
}
