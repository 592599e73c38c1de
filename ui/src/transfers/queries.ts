// What the transfer screens read: the targets orders can be sent to, and how a sending goes.
import { queryOptions, useQuery, type QueryClient } from "@tanstack/react-query";
import { api } from "../api";
import type { OrderTransferView } from "../bindings/OrderTransferView";
import type { TransferTargetView } from "../bindings/TransferTargetView";
import { keys } from "../queries";

/** How often a sending's progress is read while orders are still on their way. */
export const PROGRESS_POLL_MS = 1000;

export const transferKeys = {
  // Under the accounts' key: adding, editing, enabling or deleting an account (each refreshes the
  // accounts) refreshes the targets with them.
  targets: [...keys.accounts, "transferTargets"] as const,
  // Under the cabinet's key: the engine's orders_changed (sent as transfers move) refreshes it.
  status: (ids: readonly number[], accountId: number | null) => [...keys.cabinetAll, "transfers", accountId, ids] as const,
};

export const transferTargetsOptions = queryOptions({
  queryKey: transferKeys.targets,
  queryFn: api.transferTargets,
  // A target list that cannot be read offers no target: the rest of the screen still works.
  retry: false,
});
export const useTransferTargets = () => useQuery(transferTargetsOptions);

/** The targets an order can be sent to now (a disabled account takes nothing). */
export const activeTargets = (targets: readonly TransferTargetView[] | undefined): TransferTargetView[] =>
  (targets ?? []).filter((t) => t.active);

export const fetchTransferTargets = (qc: QueryClient) =>
  qc.fetchQuery({ queryKey: transferKeys.targets, queryFn: api.transferTargets, staleTime: 0 });

/** Whether every watched order has an outcome: none still pending. An order whose transfer is no
 * longer listed (deleted meanwhile, which drops its sending, or its link removed) waits for nothing:
 * the sending queued its row before the progress was first read. */
export function sendingFinished(ids: readonly number[], transfers: readonly OrderTransferView[] | undefined): boolean {
  if (!transfers) return false;
  const pending = new Set(transfers.filter((x) => x.transfer.state === "pending").map((x) => x.order_id));
  return ids.every((id) => !pending.has(id));
}

/** A sending's transfers, read again every second until none is pending. Never asked with no
 * ids: the engine reads that as "every order". */
export const useSendingProgress = (ids: readonly number[], accountId: number) =>
  useQuery({
    queryKey: transferKeys.status(ids, accountId),
    queryFn: () => api.transferStatus([...ids], accountId),
    enabled: ids.length > 0,
    refetchInterval: (q) => (sendingFinished(ids, q.state.data) ? false : PROGRESS_POLL_MS),
  });
