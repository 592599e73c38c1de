import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import type { OrderDetail } from "../bindings/OrderDetail";
import { useI18n } from "../i18n";
import { timelineText } from "../i18n/events";
import { keys, refreshAfterStatusChange } from "../queries";
import { useNotices } from "./Notices";

/** Which accepted lines move to which status; `label` is the status as the manager reads it. */
export type StatusChange = { lines: number[]; statusId: number; label: string };

/**
 * Moves accepted lines to a shop status. The pushes the account configured for it go out; the ones
 * that could not (a template lacks a value, the marketplace cannot take it) are listed until read.
 */
export function useSetLineStatus() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  return useMutation({
    mutationFn: ({ lines, statusId }: StatusChange) => api.setLineStatus(lines, statusId),
    onMutate: async ({ lines, statusId }) => {
      // The selects show the new status at once; a failure puts the old one back through the refetch.
      await qc.cancelQueries({ queryKey: keys.orderAll });
      const moved = new Set(lines);
      qc.setQueriesData<OrderDetail>({ queryKey: keys.orderAll }, (old) =>
        old
          ? {
              ...old,
              order: {
                ...old.order,
                lines: old.order.lines.map((l) => (moved.has(l.id) ? { ...l, shop_status_id: statusId } : l)),
              },
            }
          : old,
      );
    },
    onSuccess: (report, { label }) => {
      notices.info(t.lineStatus.changed(report.changed.length, label));
      if (report.not_sent.length > 0) notices.warning(
          t.lineStatus.notSent,
          report.not_sent.map((e) => timelineText(e, t)),
        );
    },
    onError: (e) => notices.error(e.message),
    onSettled: () => refreshAfterStatusChange(qc),
  });
}
