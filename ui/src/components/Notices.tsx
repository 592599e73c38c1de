import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { useI18n } from "../i18n";

/** A button on a notice: pressing it (or `press(id)` from a key) runs it once and closes the notice. */
export type NoticeAction = { id: string; label: string; run: () => void };
type Notice = { id: number; kind: "error" | "info" | "warning"; text: string; items: string[]; action: NoticeAction | null };
type Notices = {
  error: (text: string) => void;
  info: (text: string, action?: NoticeAction) => void;
  /** Something the manager must read through (why an update was not sent): a list that stays until dismissed. */
  warning: (text: string, items: string[]) => void;
  /** Presses the button `actionId` on the newest notice showing one; false when no such notice is up. */
  press: (actionId: string) => boolean;
};

const NoticesContext = createContext<Notices | null>(null);
/** Also how long an action (Undo) is offered: the engine holds a decision's calls for 6 s. */
const INFO_MS = 6000;

/** Errors and warnings stay until dismissed (the manager must see them); confirmations fade. */
export function NoticesProvider({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const [notices, setNotices] = useState<Notice[]>([]);
  // `press` is called from key handlers and must see what is on screen now, not at its last render.
  const shown = useRef<Notice[]>([]);
  const next = useRef(1);
  const update = useCallback((change: (all: Notice[]) => Notice[]) => {
    shown.current = change(shown.current);
    setNotices(shown.current);
  }, []);
  const dismiss = useCallback((id: number) => update((all) => all.filter((n) => n.id !== id)), [update]);
  const push = useCallback(
    (kind: Notice["kind"], text: string, items: string[], action: NoticeAction | null) => {
      const id = next.current++;
      const same = (n: Notice) =>
        // Two decisions worded alike are still two things to undo: only plain notices replace each other.
        action == null && n.action == null && n.kind === kind && n.text === text && n.items.join("\n") === items.join("\n");
      update((all) => [...all.filter((n) => !same(n)), { id, kind, text, items, action }].slice(-5));
      if (kind === "info") setTimeout(() => dismiss(id), INFO_MS);
    },
    [dismiss, update],
  );
  const run = useCallback(
    (n: Notice) => {
      dismiss(n.id);
      n.action?.run();
    },
    [dismiss],
  );
  const value = useMemo(
    (): Notices => ({
      error: (s) => push("error", s, [], null),
      info: (s, action) => push("info", s, [], action ?? null),
      warning: (s, items) => push("warning", s, items, null),
      press: (actionId) => {
        const latest = [...shown.current].reverse().find((n) => n.action?.id === actionId);
        if (latest) run(latest);
        return latest != null;
      },
    }),
    [push, run],
  );
  return (
    <NoticesContext.Provider value={value}>
      <div className="notices" aria-live="polite">
        {notices.map((n) => (
          <div
            key={n.id}
            className={`notice notice-${n.kind}`}
            role={n.kind === "info" ? "status" : "alert"}
            data-testid={{ error: "error-banner", info: "toast", warning: "warning-notice" }[n.kind]}
          >
            <div className="notice-body">
              <span>{n.text}</span>
              {n.items.length > 0 && (
                <ul className="notice-items">
                  {n.items.map((item, i) => (
                    <li key={i} data-testid="warning-item">
                      {item}
                    </li>
                  ))}
                </ul>
              )}
            </div>
            {n.action && (
              <button type="button" data-testid={n.action.id} onClick={() => run(n)}>
                {n.action.label}
              </button>
            )}
            <button type="button" className="link" onClick={() => dismiss(n.id)} aria-label={t.common.dismiss}>
              ×
            </button>
          </div>
        ))}
      </div>
      {children}
    </NoticesContext.Provider>
  );
}

export function useNotices(): Notices {
  const ctx = useContext(NoticesContext);
  if (!ctx) throw new Error("useNotices outside NoticesProvider");
  return ctx;
}
