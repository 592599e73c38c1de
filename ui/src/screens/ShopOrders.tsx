import { memo, useCallback } from "react";
import type { ShopOrderView } from "../bindings/ShopOrderView";
import { useListKeys } from "../components/useListKeys";
import { useRowsInSteps } from "../components/useRowsInSteps";
import { formatDateTime, formatPrice } from "../format";
import { useI18n } from "../i18n";
import { useShopOrders } from "../queries";

/**
 * One customer's orders (the Customers screen); an order made from a marketplace order opens it.
 * "All orders" is the cabinet (cabinet/CabinetScreen.tsx).
 */
export function ShopOrderTable({
  customerId,
  onOpen,
  keyboard,
}: {
  customerId: number | null;
  /** Opens the shop order (the order in All orders, not the marketplace's). */
  onOpen: (shopOrderId: number) => void;
  keyboard: boolean;
}) {
  const { t } = useI18n();
  const orders = useShopOrders(customerId);
  const rows = orders.data ?? [];
  const open = useCallback(
    (order: ShopOrderView | undefined) => {
      if (order) onOpen(order.id);
    },
    [onOpen],
  );
  const [cursor, setCursor] = useListKeys(rows.length, (i) => open(rows[i]), keyboard);
  const drawn = useRowsInSteps(rows.length, (cursor ?? -1) + 1);
  const pick = useCallback(
    (index: number, order: ShopOrderView) => {
      setCursor(index);
      open(order);
    },
    [setCursor, open],
  );

  if (orders.isError) return <p className="form-problem screen-text">{orders.error.message}</p>;
  if (orders.data?.length === 0) return <p className="hint screen-text">{t.shopOrders.empty}</p>;
  const c = t.shopOrders.columns;
  return (
    <table className="grid clickable" data-testid="shop-order-table">
      <thead>
        <tr>
          <th>{c.number}</th>
          <th>{c.date}</th>
          <th>{c.account}</th>
          <th>{c.customer}</th>
          <th className="num">{c.lines}</th>
          <th className="num">{c.total}</th>
        </tr>
      </thead>
      <tbody>
        {rows.slice(0, drawn).map((o, i) => (
          <ShopOrderRow key={o.id} order={o} index={i} isCursor={i === cursor} onPick={pick} onOpen={open} />
        ))}
      </tbody>
    </table>
  );
}

/** One order; memoised like the customers' rows (a cursor move draws the two rows it changes). */
const ShopOrderRow = memo(function ShopOrderRow({
  order: o,
  index,
  isCursor,
  onPick,
  onOpen,
}: {
  order: ShopOrderView;
  index: number;
  isCursor: boolean;
  onPick: (index: number, order: ShopOrderView) => void;
  onOpen: (order: ShopOrderView) => void;
}) {
  const { locale } = useI18n();
  return (
    <tr
      className={isCursor ? "cursor" : undefined}
      data-testid="shop-order-row"
      data-cursor={isCursor}
      onClick={() => onPick(index, o)}
    >
      <td>
        <button
          type="button"
          className="link"
          onClick={(e) => {
            e.stopPropagation();
            onOpen(o);
          }}
        >
          {o.number}
        </button>
      </td>
      <td className="muted">{formatDateTime(o.created_at, locale)}</td>
      <td>{o.account}</td>
      <td>{o.customer_name}</td>
      <td className="num">{o.lines}</td>
      <td className="num">{formatPrice(o.total, o.currency, locale)}</td>
    </tr>
  );
});
