import { useQueryClient } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, type MouseEvent } from "react";
import { rowPlace, useFirstFrameRows } from "../components/virtualRows";
import type { CabinetRow } from "../bindings/CabinetRow";
import type { OrderSort } from "../bindings/OrderSort";
import type { ShopStatus } from "../bindings/ShopStatus";
import type { SortColumn } from "../bindings/SortColumn";
import type { TransferTargetView } from "../bindings/TransferTargetView";
import { formatDateTime, formatPrice } from "../format";
import { useI18n } from "../i18n";
import { numberFormat } from "../intl";
import { TargetMenu } from "../transfers/TargetMenu";
import { useLoadMore, type ListReach } from "../components/useLoadMore";
import { allSelected, click, toggleAll, type RowIndex, type RowSelection } from "./selection";
import { rememberPlace, rememberedPlace } from "./queries";
import type { CabinetView } from "./viewState";
import { awaitingPayment, kindName, statusLabel } from "./words";

const ROW_HEIGHT = 40;
/** The sticky column titles above the rows, inside the same scroll box. */
const HEADER_HEIGHT = 36;

export type TableProps = {
  /** The list's view: where it was scrolled to is remembered per view. */
  view: CabinetView;
  rows: readonly CabinetRow[];
  index: RowIndex;
  selection: RowSelection;
  onSelection: (next: RowSelection) => void;
  sort: OrderSort;
  onSort: (next: OrderSort) => void;
  onOpen: (id: number) => void;
  statuses: readonly ShopStatus[] | undefined;
  /** The targets a row's "send" menu offers (none: no menu). */
  targets: readonly TransferTargetView[];
  onSend: (target: TransferTargetView, id: number) => void;
  /** Where the pages stand (the rows drawn are the table's own). */
  more: Omit<ListReach, "reach" | "rowCount">;
  loadingMore: boolean;
  /** Orders checked so far while a search of one or two characters reads on (null: not one). */
  searched: number | null;
  onLoadMore: () => void;
  empty: boolean;
};

/** The sort a column header's click asks for: the same column flips, another starts newest/largest first. */
export function nextSort(sort: OrderSort, column: SortColumn): OrderSort {
  if (sort.column === column) return { column, desc: !sort.desc };
  return { column, desc: column === "created" || column === "total" };
}

/**
 * The orders loaded so far, virtualised: only the rows in view are in the DOM, and the next keyset
 * page is asked for as the end of the loaded ones comes near.
 */
export function OrdersTable(p: TableProps) {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const scrollRef = useRef<HTMLDivElement>(null);
  const firstFrame = useFirstFrameRows();
  const virtualizer = useVirtualizer({
    ...firstFrame,
    count: p.rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    scrollMargin: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
    initialOffset: () => rememberedPlace(qc, p.view).offset,
  });
  // Leaving the list (to open an order) keeps the place for coming back.
  const placeRef = useRef({ view: p.view, cursor: p.selection.cursor });
  placeRef.current = { view: p.view, cursor: p.selection.cursor };
  useEffect(() => {
    const place = placeRef;
    return () => rememberPlace(qc, place.current.view, virtualizer.scrollOffset ?? 0, place.current.cursor);
  }, [qc, virtualizer]);
  const items = virtualizer.getVirtualItems();
  const lastShown = items.length > 0 ? (items[items.length - 1]?.index ?? -1) : -1;
  useLoadMore({ ...p.more, reach: lastShown, rowCount: p.rows.length }, p.onLoadMore);

  const cursorIndex = p.selection.cursor == null ? null : (p.index.at.get(p.selection.cursor) ?? null);
  useEffect(() => {
    if (cursorIndex != null) virtualizer.scrollToIndex(cursorIndex, { align: "auto" });
  }, [cursorIndex, virtualizer]);

  const c = t.cabinet.columns;
  const sortHeader = (column: SortColumn, label: string, className = "") => {
    const active = p.sort.column === column;
    return (
      <span
        role="columnheader"
        className={className}
        aria-sort={active ? (p.sort.desc ? "descending" : "ascending") : "none"}
      >
        <button
          type="button"
          className={active ? "sort active" : "sort"}
          data-testid={`cabinet-sort-${column}`}
          title={t.cabinet.sortBy(label)}
          onClick={() => p.onSort(nextSort(p.sort, column))}
        >
          {label}
          {active && <span aria-hidden>{p.sort.desc ? " ▼" : " ▲"}</span>}
        </button>
      </span>
    );
  };
  const everything = allSelected(p.index, p.selection);
  const onRowClick = (e: MouseEvent, id: number) => {
    if (e.shiftKey) window.getSelection()?.removeAllRanges();
    p.onSelection(click(p.index, p.selection, id, { shift: e.shiftKey, toggle: e.ctrlKey || e.metaKey }));
  };

  return (
    <div className="cabinet-table" ref={scrollRef} role="grid" aria-rowcount={p.rows.length} data-testid="cabinet-table">
      <div className="cabinet-row cabinet-head" role="row" style={{ height: HEADER_HEIGHT }}>
        <span role="columnheader">
          <input
            type="checkbox"
            aria-label={t.cabinet.selectAll}
            data-testid="cabinet-select-all"
            checked={everything}
            disabled={p.rows.length === 0}
            onChange={() => p.onSelection(toggleAll(p.index, p.selection))}
          />
        </span>
        {sortHeader("number", c.number)}
        {sortHeader("created", c.created)}
        <span role="columnheader">{c.status}</span>
        {sortHeader("recipient", c.recipient)}
        <span role="columnheader">{c.source}</span>
        <span role="columnheader">{c.type}</span>
        <span role="columnheader">{c.payment}</span>
        <span role="columnheader" className="num">
          {c.items}
        </span>
        {sortHeader("total", c.total, "num")}
      </div>
      {p.empty && (
        <p className="hint cabinet-empty" data-testid="cabinet-empty">
          {t.cabinet.empty}
        </p>
      )}
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {items.map((item) => {
          const row = p.rows[item.index];
          if (!row) return null;
          const selected = p.selection.selected.has(row.id);
          const cursor = p.selection.cursor === row.id;
          return (
            <div
              key={row.id}
              role="row"
              aria-selected={selected}
              aria-rowindex={item.index + 1}
              className={`cabinet-row${cursor ? " cursor" : ""}${selected ? " selected" : ""}`}
              data-testid={`cabinet-row-${row.id}`}
              data-selected={selected}
              data-cursor={cursor}
              style={rowPlace(item.start - HEADER_HEIGHT, ROW_HEIGHT)}
              onClick={(e) => onRowClick(e, row.id)}
              onDoubleClick={() => p.onOpen(row.id)}
            >
              <span role="gridcell">
                <input
                  type="checkbox"
                  aria-label={t.cabinet.selectRow(row.number)}
                  data-testid="cabinet-row-check"
                  checked={selected}
                  onClick={(e) => e.stopPropagation()}
                  onChange={() => p.onSelection(click(p.index, p.selection, row.id, { toggle: true }))}
                />
              </span>
              <span role="gridcell" className="cabinet-number">
                <button
                  type="button"
                  className="link"
                  onClick={(e) => {
                    e.stopPropagation();
                    p.onOpen(row.id);
                  }}
                >
                  {row.number}
                </button>
                {row.preorder && <span className="badge">{t.cabinet.preorder}</span>}
                {row.transferred_to && (
                  <span className="badge" title={t.cabinet.transferredTo(row.transferred_to)}>
                    →
                  </span>
                )}
                {p.targets.length > 0 && (
                  <TargetMenu
                    className="row-send"
                    testId={`cabinet-row-send-${row.id}`}
                    label="⇢"
                    title={t.cabinet.transfers.sendOrderTo(row.number)}
                    targets={p.targets}
                    onChoose={(target) => p.onSend(target, row.id)}
                  />
                )}
              </span>
              <span role="gridcell" className="muted">
                {formatDateTime(row.created_at, locale)}
              </span>
              <span role="gridcell">{statusLabel(p.statuses, row.status_id, t)}</span>
              <span role="gridcell" className="cabinet-recipient">
                <span>{row.recipient_name}</span>
                <span className="muted">{row.recipient_phone}</span>
              </span>
              <span role="gridcell" className="muted">
                {row.account ?? (row.account_kind ? kindName(row.account_kind) : t.cabinet.manual)}
              </span>
              <span role="gridcell">{t.cabinet.orderTypes[row.order_type]}</span>
              <span role="gridcell">
                {row.payment_method ? t.cabinet.payment[row.payment_method] : ""}
                {row.paid && <span className="paid-mark"> ✓ {t.cabinet.paid}</span>}
                {awaitingPayment(row) && (
                  <span className="badge badge-warning" data-testid="cabinet-awaiting-payment">
                    {t.cabinet.awaitingPayment}
                  </span>
                )}
              </span>
              <span role="gridcell" className="num">
                {row.items}
              </span>
              <span role="gridcell" className="num">
                {formatPrice(row.total, row.currency, locale)}
              </span>
            </div>
          );
        })}
      </div>
      {p.searched != null ? (
        <p className="hint cabinet-loading" data-testid="cabinet-searching">
          {t.cabinet.searching(numberFormat(locale).format(p.searched))}
        </p>
      ) : (
        p.loadingMore && <p className="hint cabinet-loading">{t.common.loading}</p>
      )}
    </div>
  );
}
