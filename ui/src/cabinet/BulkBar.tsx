import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import type { CabinetRow } from "../bindings/CabinetRow";
import type { OrderType } from "../bindings/OrderType";
import type { ShopStatus } from "../bindings/ShopStatus";
import { ConfirmButton } from "../components/ConfirmButton";
import { useNotices } from "../components/Notices";
import { StatusOptions } from "../components/StatusOptions";
import { useI18n } from "../i18n";
import { timelineText } from "../i18n/events";
import { statusName } from "../statuses/statuses";
import { deletingTargetsOf } from "../transfers/deleting";
import { activeTargets, useTransferTargets } from "../transfers/queries";
import type { SendFlow } from "../transfers/SendFlow";
import { TargetMenu } from "../transfers/TargetMenu";
import { useGetTransfers } from "../transfers/useTransferActions";
import { refreshAfterOrderChange } from "./queries";
import { ORDER_TYPES } from "./viewState";
import { isDeleted, manualStatuses } from "./words";

/** What the selected orders can have done to them at once. */
export function BulkBar({
  rows,
  statuses,
  sendFlow,
  onDone,
}: {
  rows: readonly CabinetRow[];
  statuses: readonly ShopStatus[] | undefined;
  /** The cabinet's sending (shared with the rows' own "send" menus). */
  sendFlow: SendFlow;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const b = t.cabinet.bulk;
  const qc = useQueryClient();
  const notices = useNotices();
  const [statusId, setStatusId] = useState("");
  const [orderType, setOrderType] = useState("");
  /** Delete was pressed with transferred orders among the selected: the warning is up, about
   * these orders (its buttons act on them, whatever is selected by the time one is pressed). */
  const [warning, setWarning] = useState<{ transferred: CabinetRow[]; ids: number[] } | null>(null);
  /** The targets that would delete the warned-about orders there too (named in the warning). */
  const [there, setThere] = useState<string[]>([]);
  const targets = activeTargets(useTransferTargets().data);
  const get = useGetTransfers();
  const ids = rows.map((r) => r.id);
  const none = rows.length === 0;
  const choosable = statuses ? manualStatuses(statuses) : [];
  const status = choosable.find((s) => String(s.id) === statusId);

  const settled = () => refreshAfterOrderChange(qc);
  const setStatus = useMutation({
    mutationFn: ({ ids, status }: { ids: number[]; status: ShopStatus }) => api.setShopOrderStatus(ids, status.id),
    onSuccess: (report, { ids, status: s }) => {
      // The orders moved: `report.changed` lists only the marketplace lines that moved with them.
      notices.info(b.statusChanged(ids.length, statusName(s, t)));
      if (report.not_sent.length > 0) notices.warning(
          t.lineStatus.notSent,
          report.not_sent.map((e) => timelineText(e, t)),
        );
      setStatusId("");
      onDone();
    },
    onError: (e) => notices.error(e.message),
    onSettled: settled,
  });
  const setType = useMutation({
    mutationFn: ({ ids, type }: { ids: number[]; type: OrderType }) => api.setOrderType(ids, type),
    onSuccess: (_r, { ids, type }) => {
      notices.info(b.typeChanged(ids.length, t.cabinet.orderTypes[type]));
      setOrderType("");
      onDone();
    },
    onError: (e) => notices.error(e.message),
    onSettled: settled,
  });
  const remove = useMutation({
    mutationFn: async ({ ids, removeLinks, atTargets }: { ids: number[]; removeLinks: boolean; atTargets: boolean }) => {
      await api.deleteShopOrders(ids, removeLinks);
      // Only after the orders are deleted here: a failed delete asks nothing of the targets.
      return atTargets ? api.deleteAtTargets(ids) : null;
    },
    onSuccess: (queuedThere, { ids }) => {
      notices.info(b.deleted(ids.length));
      if (queuedThere != null) notices.info(b.deletedThere(queuedThere));
      setWarning(null);
      onDone();
    },
    onError: (e) => notices.error(e.message),
    onSettled: settled,
  });
  const purge = useMutation({
    mutationFn: (ids: number[]) => api.purgeShopOrders(ids),
    onSuccess: (n) => {
      notices.info(b.purged(n));
      onDone();
    },
    onError: (e) => notices.error(e.message),
    onSettled: settled,
  });
  const busy = setStatus.isPending || setType.isPending || remove.isPending || purge.isPending;
  const allDeleted = !none && rows.every((r) => isDeleted(statuses, r.status_id));

  const startDelete = () => {
    const transferred = rows.filter((r) => r.transferred_to);
    if (transferred.length === 0) {
      remove.mutate({ ids, removeLinks: false, atTargets: false });
      return;
    }
    setThere([]);
    setWarning({ transferred, ids });
    // The rows do not carry their transfers: which targets delete is asked while the warning is up.
    deletingTargetsOf(
      qc,
      transferred.map((r) => r.id),
    ).then(setThere, () => setThere([]));
  };

  return (
    <div className="bulk-bar cabinet-bulk" data-testid="cabinet-bulk">
      <span
        className={none ? "muted bulk-hint" : "muted"}
        data-testid="cabinet-selected"
        title={none ? t.cabinet.selectHint : undefined}
      >
        {none ? t.cabinet.selectHint : t.cabinet.selected(rows.length)}
      </span>
      <select
        data-testid="bulk-status"
        aria-label={b.status}
        value={statusId}
        disabled={none || !statuses}
        onChange={(e) => setStatusId(e.target.value)}
      >
        <option value="">{b.chooseStatus}</option>
        <StatusOptions statuses={choosable} />
      </select>
      <button
        type="button"
        data-testid="bulk-status-apply"
        disabled={none || !status || busy}
        onClick={() => status && setStatus.mutate({ ids, status })}
      >
        {b.apply}
      </button>
      <select
        data-testid="bulk-type"
        aria-label={b.type}
        value={orderType}
        disabled={none}
        onChange={(e) => setOrderType(e.target.value)}
      >
        <option value="">{b.chooseType}</option>
        {ORDER_TYPES.map((o) => (
          <option key={o} value={o}>
            {t.cabinet.orderTypes[o]}
          </option>
        ))}
      </select>
      <button
        type="button"
        data-testid="bulk-type-apply"
        disabled={none || orderType === "" || busy}
        onClick={() => setType.mutate({ ids, type: orderType as OrderType })}
      >
        {b.apply}
      </button>
      <TargetMenu
        testId="bulk-send"
        label={`${t.cabinet.transfers.sendTo} ▾`}
        targets={targets}
        disabled={none || sendFlow.busy}
        onChoose={(target) => sendFlow.send(target, ids)}
      />
      <button
        type="button"
        data-testid="bulk-get"
        title={t.cabinet.transfers.getSelected}
        disabled={none || get.isPending}
        onClick={() => get.mutate({ ids, accountId: null })}
      >
        {t.cabinet.transfers.get}
      </button>
      <button type="button" className="danger" data-testid="bulk-delete" disabled={none || busy || allDeleted} onClick={startDelete}>
        {b.delete}
      </button>
      <span title={allDeleted ? undefined : b.purgeHint}>
        <ConfirmButton
          testId="bulk-purge"
          question={b.purgeQuestion(rows.length)}
          disabled={!allDeleted || busy}
          onConfirm={() => purge.mutate(ids)}
        >
          {b.purge}
        </ConfirmButton>
      </span>
      {warning && (
        <div className="delete-warning" role="alert" data-testid="bulk-delete-warning">
          <ul>
            {warning.transferred.map((r) => (
              <li key={r.id}>{b.transferred(r.number, r.transferred_to ?? "")}</li>
            ))}
          </ul>
          {there.length > 0 && <p data-testid="bulk-delete-there-hint">{b.deletesThere(there.join(", "))}</p>}
          <div className="form-actions">
            {there.length > 0 && (
              <button
                type="button"
                className="danger"
                data-testid="bulk-delete-there"
                disabled={busy}
                onClick={() => remove.mutate({ ids: warning.ids, removeLinks: false, atTargets: true })}
              >
                {b.deleteThere(there.join(", "))}
              </button>
            )}
            <button
              type="button"
              className="danger"
              data-testid="bulk-delete-anyway"
              disabled={busy}
              onClick={() => remove.mutate({ ids: warning.ids, removeLinks: false, atTargets: false })}
            >
              {there.length > 0 ? b.deleteHereOnly : b.deleteAnyway}
            </button>
            <button
              type="button"
              className="danger"
              data-testid="bulk-delete-unlink"
              disabled={busy}
              onClick={() => remove.mutate({ ids: warning.ids, removeLinks: true, atTargets: false })}
            >
              {b.deleteAndUnlink}
            </button>
            <button type="button" data-testid="bulk-delete-cancel" onClick={() => setWarning(null)}>
              {t.common.cancel}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
