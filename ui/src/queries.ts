// Query keys and hooks: one place decides what is cached and what an engine event refreshes.
import { useQuery, type QueryClient } from "@tanstack/react-query";
import { api } from "./api";
import type { EngineEvent } from "./bindings/EngineEvent";
import type { InboxQuery } from "./bindings/InboxQuery";

export const keys = {
  appInfo: ["appInfo"] as const,
  accounts: ["accounts"] as const,
  inboxAll: ["inbox"] as const,
  inbox: (q: InboxQuery) => ["inbox", q] as const,
  orderAll: ["order"] as const,
  order: (id: number) => ["order", id] as const,
  outboxAll: ["outbox"] as const,
  settings: ["settings"] as const,
  accountOutbox: (id: number) => ["outbox", id] as const,
};

export const useAppInfo = () => useQuery({ queryKey: keys.appInfo, queryFn: api.appInfo });
export const useAccounts = () =>
  // Health times ("next sync in …") age even without events.
  useQuery({ queryKey: keys.accounts, queryFn: api.listAccounts, refetchInterval: 15_000 });
export const useInbox = (q: InboxQuery) => useQuery({ queryKey: keys.inbox(q), queryFn: () => api.inbox(q) });
export const useSettings = () => useQuery({ queryKey: keys.settings, queryFn: api.getSettings });
export const useAccountOutbox = (id: number, enabled: boolean) =>
  useQuery({ queryKey: keys.accountOutbox(id), queryFn: () => api.accountOutbox(id), enabled });
export const useOrder = (id: number | null) =>
  useQuery({
    queryKey: keys.order(id ?? -1),
    queryFn: () => api.orderDetail(id ?? -1),
    enabled: id != null,
  });

/** Refetches exactly what an engine event can have changed. */
export function applyEngineEvent(qc: QueryClient, event: EngineEvent): void {
  const refresh = (key: readonly unknown[]) => void qc.invalidateQueries({ queryKey: key });
  switch (event.type) {
    case "new_lines":
      refresh(keys.inboxAll);
      refresh(keys.accounts);
      refresh(keys.appInfo);
      break;
    case "orders_changed":
      refresh(keys.inboxAll);
      refresh(keys.orderAll);
      break;
    case "account_health":
      refresh(keys.accounts);
      break;
    case "outbox":
      refresh(keys.orderAll);
      refresh(keys.outboxAll);
      refresh(keys.accounts);
      break;
    case "sync_pause":
      refresh(keys.settings);
      refresh(keys.accounts);
      break;
    case "unread_count":
      qc.setQueryData(keys.appInfo, (info: Awaited<ReturnType<typeof api.appInfo>> | undefined) =>
        info ? { ...info, unread: event.count } : info,
      );
      break;
  }
}
