import { useEffect, useRef } from "react";
import { isTypingTarget } from "../inbox/keys";

/** How long typing pauses before a list over many rows searches for what is typed. */
export const SEARCH_SETTLE_MS = 250;

/**
 * A list screen's search beside its title: "/" reaches it (selecting what it holds), as in All
 * orders; ↓ hands the keyboard to the list when `onArrowDown` says the list took it.
 */
export function ScreenSearch({
  label,
  placeholder,
  testId,
  value,
  onChange,
  onArrowDown,
}: {
  label: string;
  placeholder: string;
  testId: string;
  value: string;
  onChange: (value: string) => void;
  onArrowDown: () => boolean;
}) {
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return;
      e.preventDefault();
      field.current?.focus();
      field.current?.select();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  return (
    <label className="inline screen-search">
      <span className="sr-only">{label}</span>
      <input
        ref={field}
        type="search"
        data-testid={testId}
        className="wide"
        aria-keyshortcuts="/"
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" && onArrowDown()) e.preventDefault();
        }}
      />
    </label>
  );
}
