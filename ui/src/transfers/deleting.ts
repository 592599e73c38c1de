// Deleting orders that went to targets which delete (or cancel) their record too: which targets
// those are, so that the delete asks first and names them.
import type { QueryClient } from "@tanstack/react-query";
import { api } from "../api";
import type { TransferTargetView } from "../bindings/TransferTargetView";
import type { TransferView } from "../bindings/TransferView";
import { fetchTransferTargets } from "./queries";

/** The targets that hold a record of these transfers and delete it when asked, by name. */
export function deletingTargetNames(
  transfers: readonly Pick<TransferView, "account_id" | "remote_id">[],
  targets: readonly TransferTargetView[],
): string[] {
  const names = transfers
    .filter((x) => x.remote_id != null)
    .map((x) => targets.find((tg) => tg.account_id === x.account_id && tg.deletes)?.name)
    .filter((name): name is string => name != null);
  return [...new Set(names)];
}

/** The same for orders as they are now (read from the engine: the table's rows do not carry transfers). */
export async function deletingTargetsOf(qc: QueryClient, ids: readonly number[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const [targets, transfers] = await Promise.all([fetchTransferTargets(qc), api.transferStatus([...ids], null)]);
  return deletingTargetNames(
    transfers.map((x) => x.transfer),
    targets,
  );
}
