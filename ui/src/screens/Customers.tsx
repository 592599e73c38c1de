import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { CustomerSummary } from "../bindings/CustomerSummary";
import { ScreenSearch, SEARCH_SETTLE_MS } from "../components/ScreenSearch";
import { useInView } from "../components/useInView";
import { useListKeys } from "../components/useListKeys";
import { useLoadMore } from "../components/useLoadMore";
import { useRowsInSteps } from "../components/useRowsInSteps";
import { useSettled } from "../components/useSettled";
import { formatDateTime } from "../format";
import { numberFormat } from "../intl";
import { useI18n } from "../i18n";
import { useCustomerPages } from "../queries";
import { ShopOrderTable } from "./ShopOrders";
import { useScreenReady } from "../perf";

/**
 * The shop's customers, or those whose name, phone or e-mail holds the search; choosing one lists
 * their orders. The choice and the search are the caller's (kept in the route), so that Back from
 * one of the orders returns to the same customer in the same list.
 */
export function Customers({
  chosenId,
  onChoose,
  search: typed,
  onSearch,
  onOpenShopOrder,
}: {
  chosenId: number | null;
  onChoose: (customerId: number) => void;
  search: string;
  onSearch: (search: string) => void;
  onOpenShopOrder: (shopOrderId: number) => void;
}) {
  const { t, locale } = useI18n();
  const tableRef = useRef<HTMLTableElement>(null);
  // Searched once typing pauses, as the inbox: each letter would start a read (a first letter
  // alone checks customers one by one).
  const search = useSettled(typed.trim(), SEARCH_SETTLE_MS);
  const customers = useCustomerPages(search);
  useScreenReady("customers", customers.isSuccess);
  const rows = useMemo(() => customers.data?.pages.flatMap((p) => p.rows) ?? [], [customers.data]);
  const chosen = rows.find((s) => s.customer.id === chosenId) ?? null;
  const [cursor, setCursor] = useListKeys(rows.length, (i) => {
    const row = rows[i];
    if (row) onChoose(row.customer.id);
  });
  // Another search starts at the top, not on whichever customer is at the old cursor's place.
  const shownSearch = useRef(search);
  useEffect(() => {
    if (shownSearch.current === search) return;
    shownSearch.current = search;
    setCursor(null);
  }, [search, setCursor]);
  // The rows on screen are the search's own, not the previous one's kept while it reads.
  const settled = customers.isSuccess && !customers.isPlaceholderData;
  // A search of one or two characters checks a bounded number of customers a read: while its
  // last read stopped with the page unfilled, it reads on (the list's end is in sight) and says
  // how many it has checked.
  const pages = customers.data?.pages ?? [];
  const searching = settled && pages.at(-1)?.stopped === true && !customers.isFetchNextPageError;
  const checked = pages.reduce((n, p) => n + p.checked, 0);
  const drawn = useRowsInSteps(rows.length, (cursor ?? -1) + 1);
  // The next page comes as the keyboard's cursor nears the end, or the end scrolls into view.
  const [end, setEnd] = useState<HTMLElement | null>(null);
  const endInView = useInView(end) && drawn === rows.length;
  const { fetchNextPage } = customers;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  useLoadMore(
    {
      reach: endInView ? rows.length - 1 : (cursor ?? -1),
      rowCount: rows.length,
      hasMore: customers.hasNextPage,
      fetching: customers.isFetching,
      failed: customers.isFetchNextPageError,
      pages: customers.data?.pages.length ?? 0,
    },
    loadMore,
  );
  const pick = useCallback(
    (index: number, customerId: number) => {
      setCursor(index);
      onChoose(customerId);
    },
    [setCursor, onChoose],
  );
  const c = t.customers.columns;
  return (
    <section className="customers" data-testid="customers">
      <header className="screen-header">
        <h1>{t.customers.title}</h1>
        <ScreenSearch
          label={t.customers.search}
          placeholder={t.customers.searchPlaceholder}
          testId="customers-search"
          value={typed}
          onChange={onSearch}
          onArrowDown={() => {
            // To the list's first customer, once the list is this search's.
            if (!settled || rows.length === 0) return false;
            setCursor(0);
            tableRef.current?.focus();
            return true;
          }}
        />
        <span className="hint">{t.customers.keysHint}</span>
      </header>
      {customers.isError && <p className="form-problem screen-text">{customers.error.message}</p>}
      {settled && rows.length === 0 && !searching && (
        <p className="hint screen-text" role="status" data-testid="customers-empty">
          {search === "" ? t.customers.empty : t.customers.noMatch(search)}
        </p>
      )}
      {rows.length > 0 && (
        <table className="grid clickable" data-testid="customer-table" ref={tableRef} tabIndex={-1}>
          <thead>
            <tr>
              <th>{c.name}</th>
              <th>{c.phone}</th>
              <th>{c.email}</th>
              <th>{c.region}</th>
              <th className="num">{c.orders}</th>
              <th>{c.lastOrder}</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, drawn).map((s, i) => (
              <CustomerRow
                key={s.customer.id}
                row={s}
                index={i}
                isCursor={i === cursor}
                isChosen={chosen?.customer.id === s.customer.id}
                onPick={pick}
              />
            ))}
          </tbody>
        </table>
      )}
      {customers.hasNextPage && (
        <p className="hint screen-text" ref={setEnd} data-testid="customers-more">
          {/* One live region whose words change, so that a reader announces each change. */}
          <span aria-live="polite" data-testid={searching ? "customers-searching" : undefined}>
            {searching ? t.customers.searching(numberFormat(locale).format(checked)) : t.customers.shown(rows.length)}
          </span>
          {!searching && (
            <>
              {" "}
              {/* Not disabled while a read is under way: the focus stays on it for the next press. */}
              <button
                type="button"
                className="link"
                aria-disabled={customers.isFetching}
                onClick={() => {
                  if (!customers.isFetching) loadMore();
                }}
              >
                {t.customers.showMore}
              </button>
            </>
          )}
        </p>
      )}
      {chosen && (
        <div className="panel-section" data-testid="customer-orders">
          <h2>{t.customers.ordersOf(chosen.customer.name ?? t.customers.noName)}</h2>
          <ShopOrderTable key={chosen.customer.id} customerId={chosen.customer.id} onOpen={onOpenShopOrder} keyboard={false} />
        </div>
      )}
    </section>
  );
}

/**
 * One customer. Memoised: a cursor move draws the two rows it leaves and enters, and each step of
 * a long list's drawing (useRowsInSteps) only the rows it adds, not every row drawn before.
 */
const CustomerRow = memo(function CustomerRow({
  row,
  index,
  isCursor,
  isChosen,
  onPick,
}: {
  row: CustomerSummary;
  index: number;
  isCursor: boolean;
  isChosen: boolean;
  onPick: (index: number, customerId: number) => void;
}) {
  const { t, locale } = useI18n();
  const { customer } = row;
  return (
    <tr
      className={[isCursor && "cursor", isChosen && "selected"].filter(Boolean).join(" ")}
      data-testid="customer-row"
      data-customer-id={customer.id}
      data-cursor={isCursor}
      aria-selected={isChosen}
      onClick={() => onPick(index, customer.id)}
    >
      <td>
        {/* A button too, so that Tab and Enter reach each customer without the list keys. */}
        <button type="button" className="link">
          {customer.name ?? t.customers.noName}
        </button>
      </td>
      <td>{customer.phone}</td>
      <td>{customer.email}</td>
      <td>{customer.region}</td>
      <td className="num">{row.orders}</td>
      <td className="muted">{formatDateTime(row.last_order_at, locale)}</td>
    </tr>
  );
});
