// A button that opens the list of targets to send to: the order table's per-row action and the
// bulk bar's "Send to ▾". Keyboard: Enter/Space/↓ opens it on the first target, ↑/↓ move, Escape
// closes it back onto the button; keys pressed inside never reach the cabinet's shortcuts.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import type { TransferTargetView } from "../bindings/TransferTargetView";

export function TargetMenu({
  label,
  title,
  targets,
  onChoose,
  disabled,
  testId,
  className,
}: {
  /** The button's text ("Send to ▾", or a compact arrow). */
  label: string;
  /** The button's accessible name when its text is only a sign. */
  title?: string;
  targets: readonly TransferTargetView[];
  onChoose: (target: TransferTargetView) => void;
  disabled?: boolean;
  testId: string;
  className?: string;
}) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const menuId = useId();
  const items = () => Array.from(list.current?.querySelectorAll<HTMLButtonElement>("[role=menuitem]") ?? []);

  useEffect(() => {
    if (open) items()[0]?.focus();
  }, [open]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    // The cabinet listens on the window (j/k, arrows, Escape clears the selection): not for these.
    e.stopPropagation();
    const all = items();
    const at = all.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === "Escape") {
      e.preventDefault();
      close(true);
    } else if (e.key === "ArrowDown" && open) {
      e.preventDefault();
      all[(at + 1) % all.length]?.focus();
    } else if (e.key === "ArrowUp" && open) {
      e.preventDefault();
      all[(at - 1 + all.length) % all.length]?.focus();
    } else if (e.key === "ArrowDown" && !open) {
      e.preventDefault();
      setOpen(true);
    } else if (e.key === "Tab" && open) {
      close(false);
    }
  };

  return (
    <span
      className={`target-menu${className ? ` ${className}` : ""}`}
      onKeyDown={onKey}
      // Inside a table row: a click here is not the row's (select, open).
      onClick={(e) => e.stopPropagation()}
      onDoubleClick={(e) => e.stopPropagation()}
      onBlur={(e) => {
        if (open && !e.currentTarget.contains(e.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <button
        ref={button}
        type="button"
        data-testid={testId}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={title}
        title={title}
        disabled={disabled || targets.length === 0}
        onClick={() => setOpen((v) => !v)}
      >
        {label}
      </button>
      {open && (
        <ul ref={list} id={menuId} role="menu" className="target-menu-list" data-testid={`${testId}-menu`}>
          {targets.map((target) => (
            <li key={target.account_id} role="none">
              <button
                type="button"
                role="menuitem"
                data-testid={`${testId}-target-${target.account_id}`}
                onClick={() => {
                  close(true);
                  onChoose(target);
                }}
              >
                {target.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </span>
  );
}
