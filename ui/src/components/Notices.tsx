import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { useI18n } from "../i18n";

type Notice = { id: number; kind: "error" | "info"; text: string };
type Notices = { error: (text: string) => void; info: (text: string) => void };

const NoticesContext = createContext<Notices | null>(null);
const INFO_MS = 6000;

/** Errors stay until dismissed (the manager must see them); confirmations fade. */
export function NoticesProvider({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const [notices, setNotices] = useState<Notice[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setNotices((all) => all.filter((n) => n.id !== id)), []);
  const push = useCallback(
    (kind: Notice["kind"], text: string) => {
      const id = next.current++;
      setNotices((all) => [...all.filter((n) => !(n.kind === kind && n.text === text)), { id, kind, text }].slice(-5));
      if (kind === "info") setTimeout(() => dismiss(id), INFO_MS);
    },
    [dismiss],
  );
  const value = useMemo(() => ({ error: (s: string) => push("error", s), info: (s: string) => push("info", s) }), [push]);
  return (
    <NoticesContext.Provider value={value}>
      <div className="notices" aria-live="polite">
        {notices.map((n) => (
          <div
            key={n.id}
            className={`notice notice-${n.kind}`}
            role={n.kind === "error" ? "alert" : "status"}
            data-testid={n.kind === "error" ? "error-banner" : "toast"}
          >
            <span>{n.text}</span>
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
