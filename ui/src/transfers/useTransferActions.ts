// "Get" (read back what the targets made of orders) and "Unlink", with what they came to in notices.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import type { TransferRefreshReport } from "../bindings/TransferRefreshReport";
import { useNotices } from "../components/Notices";
import { useI18n } from "../i18n";
import { errorText } from "../i18n/errors";
import { keys } from "../queries";

/** Reads back the orders' transfers, to one target or all; the report is said in a notice. */
export function useGetTransfers() {
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const w = t.cabinet.transfers;
  const said = (r: TransferRefreshReport) => {
    const read = w.read(r.read, r.gone);
    if (r.failed.length === 0) notices.info(read);
    else
      notices.warning(
        `${read}. ${w.notRead}`,
        r.failed.map((f) => w.orderAtTarget(f.number, f.target, errorText(f.error.words, f.error.message, lang))),
      );
  };
  return useMutation({
    mutationFn: ({ ids, accountId }: { ids: number[]; accountId: number | null }) => api.refreshTransfers(ids, accountId),
    onSuccess: said,
    onError: (e) => notices.error(e.message),
    onSettled: () => qc.invalidateQueries({ queryKey: keys.cabinetAll }),
  });
}

/** Forgets where an order went at one target (the record there stays). */
export function useUnlinkTransfer() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  return useMutation({
    mutationFn: ({ orderId, accountId }: { orderId: number; accountId: number; target: string }) =>
      api.unlinkTransfer(orderId, accountId),
    onSuccess: (_r, { target }) => notices.info(t.cabinet.transfers.unlinked(target)),
    onError: (e) => notices.error(e.message),
    onSettled: () => qc.invalidateQueries({ queryKey: keys.cabinetAll }),
  });
}
