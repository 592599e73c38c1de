import { useEffect, useState } from "react";
import { isControlActivation, isTypingTarget, latinKey } from "../inbox/keys";

/**
 * j/k (or ↓/↑) move a cursor over a list and Enter acts on the row under it, as in the inbox.
 * Keys typed into a field, and Enter on a focused button, stay with that control.
 */
export function useListKeys(count: number, onEnter: (index: number) => void, active = true) {
  const [cursor, setCursor] = useState<number | null>(null);
  const at = cursor == null || count === 0 ? null : Math.min(cursor, count - 1);
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTypingTarget(e.target) || isControlActivation(e)) return;
      const key = latinKey(e);
      if (key === "j" || key === "ArrowDown") {
        e.preventDefault();
        setCursor(count === 0 ? null : at == null ? 0 : Math.min(count - 1, at + 1));
      } else if (key === "k" || key === "ArrowUp") {
        e.preventDefault();
        setCursor(count === 0 ? null : Math.max(0, (at ?? 0) - 1));
      } else if (e.key === "Enter" && at != null) {
        e.preventDefault();
        onEnter(at);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [active, count, at, onEnter]);
  return [at, setCursor] as const;
}
