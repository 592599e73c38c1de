import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { toApiError } from "../api";
import type { ShopOrderView } from "../bindings/ShopOrderView";
import type { ShopStatus } from "../bindings/ShopStatus";
import { useNotices } from "../components/Notices";
import { StatusOptions } from "../components/StatusOptions";
import { useListKeys } from "../components/useListKeys";
import { useSetLineStatus } from "../components/useSetLineStatus";
import { formatDateTime, formatPrice } from "../format";
import { useI18n } from "../i18n";
import { isControlActivation, isTypingTarget } from "../inbox/keys";
import { fetchOrder, useShopOrders, useShopStatuses } from "../queries";
import { statusName } from "../statuses/statuses";

/** "All orders": the shop's orders made from accepted lines, newest first. */
export function ShopOrders({ onOpenOrder }: { onOpenOrder: (orderId: number) => void }) {
  const { t } = useI18n();
  return (
    <section className="shop-orders" data-testid="shop-orders">
      <header className="screen-header">
        <h1>{t.shopOrders.title}</h1>
        <span className="hint">{t.shopOrders.keysHint}</span>
      </header>
      <ShopOrderTable customerId={null} onOpenOrder={onOpenOrder} keyboard selectable />
    </section>
  );
}

/** Only orders made from a marketplace order have lines the shop's statuses apply to. */
const canSelect = (o: ShopOrderView) => o.source_order_id != null;

/**
 * The shop's orders, all or one customer's; an order made from a marketplace order opens it.
 * When `selectable`, ticked orders (x or Space on the cursor row) move all their accepted lines to a status.
 */
export function ShopOrderTable({
  customerId,
  onOpenOrder,
  keyboard,
  selectable = false,
}: {
  customerId: number | null;
  onOpenOrder: (orderId: number) => void;
  keyboard: boolean;
  selectable?: boolean;
}) {
  const { t, locale } = useI18n();
  const orders = useShopOrders(customerId);
  const rows = orders.data ?? [];
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const open = useCallback(
    (order: ShopOrderView | undefined) => {
      if (order?.source_order_id != null) onOpenOrder(order.source_order_id);
    },
    [onOpenOrder],
  );
  const [cursor, setCursor] = useListKeys(rows.length, (i) => open(rows[i]), keyboard);
  const toggle = useCallback((order: ShopOrderView | undefined) => {
    if (!order || !canSelect(order)) return;
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(order.id)) next.delete(order.id);
      else next.add(order.id);
      return next;
    });
  }, []);
  const cursorRow = cursor == null ? undefined : rows[cursor];
  useEffect(() => {
    if (!keyboard || !selectable) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTypingTarget(e.target) || isControlActivation(e)) return;
      if (e.key === "x" || e.key === " ") {
        e.preventDefault();
        toggle(cursorRow);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [keyboard, selectable, cursorRow, toggle]);

  if (orders.isError) return <p className="form-problem screen-text">{orders.error.message}</p>;
  if (orders.data?.length === 0) return <p className="hint screen-text">{t.shopOrders.empty}</p>;
  const c = t.shopOrders.columns;
  const chosen = rows.filter((o) => selected.has(o.id));
  const selectableRows = rows.filter(canSelect);
  const allSelected = selectableRows.length > 0 && selectableRows.every((o) => selected.has(o.id));
  return (
    <>
      {selectable && <OrdersStatusBar orders={chosen} onDone={() => setSelected(new Set())} />}
      <table className="grid clickable" data-testid="shop-order-table">
        <thead>
          <tr>
            {selectable && (
              <th>
                <input
                  type="checkbox"
                  aria-label={t.shopOrders.selectAll}
                  checked={allSelected}
                  disabled={selectableRows.length === 0}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(selectableRows.map((o) => o.id)))}
                />
              </th>
            )}
            <th>{c.number}</th>
            <th>{c.date}</th>
            <th>{c.account}</th>
            <th>{c.customer}</th>
            <th className="num">{c.lines}</th>
            <th className="num">{c.total}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((o, i) => {
            const isSelected = selected.has(o.id);
            const classes = [i === cursor ? "cursor" : "", isSelected ? "selected" : ""].filter(Boolean).join(" ");
            return (
              <tr
                key={o.id}
                className={classes || undefined}
                data-testid="shop-order-row"
                data-cursor={i === cursor}
                data-selected={isSelected}
                onClick={() => {
                  setCursor(i);
                  open(o);
                }}
              >
                {selectable && (
                  // Ticking an order must not also open it.
                  <td onClick={(e) => e.stopPropagation()}>
                    <input
                      type="checkbox"
                      data-testid="shop-order-select"
                      aria-label={o.number}
                      checked={isSelected}
                      disabled={!canSelect(o)}
                      onChange={() => toggle(o)}
                    />
                  </td>
                )}
                <td>
                  {o.source_order_id != null ? (
                    <button
                      type="button"
                      className="link"
                      onClick={(e) => {
                        e.stopPropagation();
                        open(o);
                      }}
                    >
                      {o.number}
                    </button>
                  ) : (
                    o.number
                  )}
                </td>
                <td className="muted">{formatDateTime(o.created_at, locale)}</td>
                <td>{o.account}</td>
                <td>{o.customer_name}</td>
                <td className="num">{o.lines}</td>
                <td className="num">{formatPrice(o.total, o.currency, locale)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

/** One status for every accepted line of the ticked orders. */
function OrdersStatusBar({ orders, onDone }: { orders: ShopOrderView[]; onDone: () => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const statuses = useShopStatuses().data;
  const setStatus = useSetLineStatus();
  const [statusId, setStatusId] = useState("");
  const [collecting, setCollecting] = useState(false);

  const apply = async (status: ShopStatus) => {
    setCollecting(true);
    try {
      // A shop order is made from its marketplace order's accepted lines: those are the ones to move.
      const sources = orders.flatMap((o) => (o.source_order_id == null ? [] : [o.source_order_id]));
      const details = await Promise.all(sources.map((id) => fetchOrder(qc, id)));
      const lines = details.flatMap((d) => d.order.lines.filter((l) => l.state === "accepted").map((l) => l.id));
      if (lines.length === 0) return notices.info(t.lineStatus.noAccepted);
      setStatus.mutate({ lines, statusId: status.id, label: statusName(status, t) }, { onSuccess: onDone });
    } catch (e) {
      notices.error(toApiError(e).message);
    } finally {
      setCollecting(false);
    }
  };
  const status = statuses?.find((s) => String(s.id) === statusId);
  return (
    <div className="bulk-bar">
      <span className="muted">{orders.length > 0 ? t.shopOrders.selected(orders.length) : t.shopOrders.selectHint}</span>
      <select
        data-testid="orders-status"
        aria-label={t.lineStatus.bulkLabel}
        value={statusId}
        disabled={!statuses}
        onChange={(e) => setStatusId(e.target.value)}
      >
        <option value="">{t.lineStatus.choose}</option>
        {statuses && <StatusOptions statuses={statuses} />}
      </select>
      <button
        type="button"
        data-testid="orders-status-apply"
        disabled={!status || orders.length === 0 || collecting || setStatus.isPending}
        onClick={() => status && void apply(status)}
      >
        {t.lineStatus.applyOrders}
      </button>
    </div>
  );
}
