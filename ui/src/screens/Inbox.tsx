import { useMutation, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api";
import type { InboxLine } from "../bindings/InboxLine";
import type { InboxPage } from "../bindings/InboxPage";
import type { InboxQuery } from "../bindings/InboxQuery";
import type { InboxSort } from "../bindings/InboxSort";
import type { LineState } from "../bindings/LineState";
import type { TriageAction } from "../bindings/TriageAction";
import type { TriageReport } from "../bindings/TriageReport";
import { BoundOfferText, RuleDecisionText } from "../components/LineDecision";
import { useNotices } from "../components/Notices";
import { integrationName } from "../integrations";
import { formatAmount, formatDateTime, formatPercent, formatPrice } from "../format";
import { useI18n } from "../i18n";
import { commandFor, isControlActivation, isTypingTarget, type InboxCommand } from "../inbox/keys";
import { formatAge, groupByOrder, inboxRows, linesTotal, type InboxRow, type OrderGroup } from "../inbox/groups";
import {
  emptySelection,
  reconcile,
  reduceSelection,
  selectedOf,
  targets,
  type RowKey,
  type Selection,
  type SelectionAction,
} from "../inbox/selection";
import { shipByCountdown, useNow } from "../inbox/shipBy";
import { UNDO, useDecisionNotice } from "../inbox/undo";
import { useLoadMore } from "../components/useLoadMore";
import { rowPlace, useFirstFrameRows } from "../components/virtualRows";
import { SEARCH_SETTLE_MS } from "../components/ScreenSearch";
import { useSettled } from "../components/useSettled";
import { INBOX_PAGE, keys, refreshAfterDecision, useAccounts, useInboxPages } from "../queries";
import { AcceptWithOffer } from "./AcceptWithOffer";
import { KeyHelp } from "./KeyHelp";
import { LineOffers } from "./LineOffers";
import { LINES_AT_FIRST, OrderDetail } from "./OrderDetail";
import { useScreenReady } from "../perf";
import { numberFormat } from "../intl";

/** An order's header: one line of text. */
const HEADER_HEIGHT = 36;
/** A line: its product's name over up to two lines, then its article (its best offer beside). */
const LINE_HEIGHT = 60;
/**
 * How long the cursor rests on a row before the detail pane reads its order and offers: holding j
 * passes rows 30 times a second, and reading two things for each would hold the keys back.
 */
const DETAIL_SETTLE_MS = 150;
/** A triage state, or the lines automatic rules decided (whatever their state now). */
export type View = LineState | "processed";
const VIEWS: View[] = ["new", "accepted", "rejected", "deleted", "processed"];
const VIEW_TEST_IDS: Record<View, string> = {
  new: "inbox-view-new",
  accepted: "inbox-view-accepted",
  rejected: "inbox-view-rejected",
  deleted: "inbox-deleted-toggle",
  processed: "view-processed",
};
/** Which triage each view allows: decided lines are read-only here; deleted ones can come back. */
const ACTIONS: Record<View, TriageAction[]> = {
  new: ["accept", "reject", "delete"],
  accepted: [],
  rejected: [],
  deleted: ["restore"],
  processed: [],
};

const ACTION_KEYS: Record<TriageAction, string> = { accept: "a", reject: "r", delete: "Del", restore: "u" };
const SORTS: InboxSort[] = ["ship_by", "newest"];

/** A triage asked for: the lines, and those of them as the inbox showed them (with their offers). */
type TriageAsked = { lineIds: number[]; action: TriageAction; shown: InboxLine[] };

/** What a triage did, and the calls of it that failed (a bulk accept goes on past a failed line). */
type Decided = { report: TriageReport; failed: { lines: number; error: Error }[] };

/**
 * Accepts lines the way `a` does: each with the offer the inbox shows for it (one call per such
 * line, as the offer dialog makes), the others plainly in one call. A call that fails (its offer
 * gone, say) does not stop the others: the lines accepted are reported with their Undo, the
 * failures beside them.
 */
async function acceptAsShown(lines: InboxLine[]): Promise<Decided> {
  const out: Decided = { report: { changed: [], outbox_rows: [] }, failed: [] };
  const attempt = async (n: number, send: () => Promise<TriageReport>) => {
    try {
      const r = await send();
      out.report.changed.push(...r.changed);
      out.report.outbox_rows.push(...r.outbox_rows);
    } catch (e) {
      out.failed.push({ lines: n, error: e instanceof Error ? e : new Error(String(e)) });
    }
  };
  const plain: number[] = [];
  for (const l of lines) {
    const offer = l.best_offer?.offer;
    if (offer == null) plain.push(l.line.id);
    else await attempt(1, () => api.acceptWithOffer(l.line.id, { offer_id: offer.id, quantity: null, price: null }));
  }
  if (plain.length > 0) await attempt(plain.length, () => api.triage(plain, "accept"));
  if (out.failed.length > 0 && out.report.changed.length === 0) throw out.failed[0]?.error;
  return out;
}

/**
 * Where the manager was in the inbox: kept by the app while an order opened from it is shown, so
 * that Back returns to the same view, account, sort, search and line.
 */
export type InboxPlace = {
  view: View;
  accountId: number | null;
  sort: InboxSort;
  search: string;
  cursor: RowKey | null;
  index: number;
};

export const INBOX_START: InboxPlace = { view: "new", accountId: null, sort: "ship_by", search: "", cursor: null, index: 0 };

/**
 * What the inbox asks the engine for on its first render at `place` (its state starts from the
 * place, below), for the start to read ahead (firstScreen.ts).
 */
export const inboxFirstQuery = (place: InboxPlace): InboxQuery =>
  inboxQuery(place.view, place.accountId, place.sort, place.search.trim());

/** What the inbox asks the engine for to list `view` ("" searches nothing). */
function inboxQuery(view: View, accountId: number | null, sort: InboxSort, search: string): InboxQuery {
  const common = { account_id: accountId, limit: INBOX_PAGE, after: null, sort, search: search || null };
  // With `processed` the engine lists rule-decided lines in any state; `state` is then ignored.
  return view === "processed" ? { ...common, state: "new", processed: true } : { ...common, state: view, processed: false };
}

export function Inbox({ onOpenOrder, place }: { onOpenOrder: (orderId: number) => void; place?: { current: InboxPlace } }) {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const decided = useDecisionNotice();
  const accounts = useAccounts();
  const start = place?.current ?? INBOX_START;
  const [view, setView] = useState<View>(start.view);
  const [accountId, setAccountId] = useState<number | null>(start.accountId);
  const [sort, setSort] = useState<InboxSort>(start.sort);
  const [searchText, setSearchText] = useState(start.search);
  const settledSearch = useSettled(searchText.trim(), SEARCH_SETTLE_MS);
  // Enter searches at once: a j pressed right after it must not land on the list the pause's
  // search then replaces (which would take the cursor away again).
  const [entered, setEntered] = useState<string | null>(start.search.trim() || null);
  const search = entered === searchText.trim() ? entered : settledSearch;
  const searchRef = useRef<HTMLInputElement>(null);
  const [help, setHelp] = useState(false);
  /** The line whose offer is being chosen; the panel owns the keyboard while it is open. */
  const [offerLine, setOfferLine] = useState<InboxLine | null>(null);
  const query = useMemo(() => inboxQuery(view, accountId, sort, search), [accountId, view, sort, search]);
  const inbox = useInboxPages(query);
  useScreenReady(`inbox:${query.processed ? "processed" : query.state}`, inbox.isSuccess);
  /** Lines whose decision is under way: never listed, whatever a refresh meanwhile says. */
  const [deciding, setDeciding] = useState<ReadonlySet<number>>(() => new Set());
  const lines = useMemo(
    () => (inbox.data?.pages.flatMap((p) => p.lines) ?? []).filter((l) => !deciding.has(l.line.id)),
    [inbox.data, deciding],
  );
  const rows = useMemo(() => inboxRows(groupByOrder(lines)), [lines]);
  const lineCount = lines.length;
  const [rawSelection, setSelection] = useState<Selection>(() =>
    start.cursor == null ? emptySelection : { cursor: start.cursor, index: start.index, selected: new Set() },
  );
  const selection = reconcile(rows, rawSelection);
  // A sync's refreshes list new lines above the cursor's; remember where its row is now, and the
  // row a lost cursor moved to (its line decided elsewhere): the cursor stays on the row shown,
  // not on a place in the list that the next refresh fills with another line.
  if (selection !== rawSelection) setSelection(selection);
  const dispatch = useCallback((a: SelectionAction) => setSelection((s) => reduceSelection(rows, s, a)), [rows]);

  // Another view, account or search starts at the top (not when the inbox comes back to its place).
  const scope = `${view}|${accountId}|${search}`;
  const shownScope = useRef(scope);
  useEffect(() => {
    if (shownScope.current === scope) return;
    shownScope.current = scope;
    setSelection(emptySelection);
  }, [scope]);
  useEffect(() => {
    if (place) place.current = { view, accountId, sort, search: searchText, cursor: selection.cursor, index: selection.index };
  });

  const triage = useMutation({
    mutationFn: async ({ lineIds, action, shown }: TriageAsked): Promise<Decided> => {
      // `a` accepts each line with the offer shown beside it (new lines only carry one).
      if (action === "accept" && shown.length === lineIds.length) return acceptAsShown(shown);
      return { report: await api.triage(lineIds, action), failed: [] };
    },
    onMutate: async ({ lineIds }) => {
      // The rows leave at once and stay away until the decision is settled: a refresh meanwhile
      // (each call of a bulk accept tells the app that orders changed) must not list the lines
      // still being decided. A failure puts them back through the refetch below.
      setDeciding((d) => new Set([...d, ...lineIds]));
      await qc.cancelQueries({ queryKey: keys.inboxPages(query) });
      const gone = new Set(lineIds);
      qc.setQueryData<InfiniteData<InboxPage, number | null>>(
        keys.inboxPages(query),
        (old) =>
          old && {
            ...old,
            pages: old.pages.map((page) => ({ ...page, lines: page.lines.filter((l) => !gone.has(l.line.id)) })),
          },
      );
    },
    onSuccess: ({ report, failed }, { action }) => {
      const n = report.changed.length;
      const text = { accept: t.inbox.accepted, reject: t.inbox.rejected, delete: t.inbox.deleted, restore: t.inbox.restored }[
        action
      ](n);
      // Restoring sends nothing to the marketplace, so there is nothing held to take back.
      decided(text, action === "restore" ? [] : report.changed);
      const first = failed[0];
      if (first) notices.error(t.inbox.notAccepted(failed.reduce((k, f) => k + f.lines, 0), first.error.message));
    },
    onError: (e) => notices.error(e.message),
    onSettled: async (_done, _error, { lineIds }) => {
      await refreshAfterDecision(qc);
      const settled = new Set(lineIds);
      setDeciding((d) => new Set([...d].filter((id) => !settled.has(id))));
    },
  });

  const act = useCallback(
    (action: TriageAction, lineIds?: number[]) => {
      if (!ACTIONS[view].includes(action)) return;
      const chosen = lineIds ?? targets(rows, selection);
      if (chosen.length === 0) return;
      const listed = new Map(lines.map((l) => [l.line.id, l]));
      const shown = chosen.map((id) => listed.get(id)).filter((l): l is InboxLine => l != null);
      triage.mutate({ lineIds: chosen, action, shown });
      dispatch({ type: "decided", lines: chosen });
    },
    [view, rows, lines, selection, triage, dispatch],
  );

  const cursorRow = rows[selection.index]?.key === selection.cursor ? rows[selection.index] : undefined;
  const cursorLine = cursorRow?.kind === "line" ? cursorRow.line : undefined;
  /** The order under the cursor: its header's, or its line's. */
  const cursorOrder = cursorRow?.group.orderId;

  const run = useCallback(
    (cmd: InboxCommand) => {
      switch (cmd) {
        case "down":
          return dispatch({ type: "move", delta: selection.cursor == null ? 0 : 1 });
        case "up":
          return dispatch({ type: "move", delta: -1 });
        case "nextOrder":
          return dispatch({ type: "jump", delta: 1 });
        case "prevOrder":
          return dispatch({ type: "jump", delta: -1 });
        case "toggle":
          return dispatch({ type: "toggle" });
        case "toggleAll":
          return dispatch({ type: "toggleAll" });
        case "accept":
          return act("accept");
        case "reject":
          return act("reject");
        case "delete":
          return act("delete");
        case "restore":
          return act("restore");
        case "open":
          if (cursorOrder != null) onOpenOrder(cursorOrder);
          return;
        case "offer":
          if (view === "new" && cursorLine) setOfferLine(cursorLine);
          return;
        case "escape":
          if (help) setHelp(false);
          else dispatch({ type: "clear" });
          return;
        case "help":
          setHelp((h) => !h);
          return;
        case "search":
          searchRef.current?.focus();
          searchRef.current?.select();
          return;
        case "undo":
          // Only while the decision's notice is up: after it the calls have gone out.
          notices.press(UNDO);
          return;
      }
    },
    [dispatch, selection.cursor, act, cursorLine, cursorOrder, onOpenOrder, help, view, notices],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (offerLine || isTypingTarget(e.target) || isControlActivation(e)) return;
      const cmd = commandFor(e);
      if (!cmd) return;
      if (help && cmd !== "escape" && cmd !== "help") return;
      e.preventDefault();
      run(cmd);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [run, help, offerLine]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const firstFrame = useFirstFrameRows();
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i]?.kind === "order" ? HEADER_HEIGHT : LINE_HEIGHT),
    getItemKey: useCallback((i: number) => rows[i]?.key ?? i, [rows]),
    ...firstFrame,
  });
  useEffect(() => {
    if (selection.cursor != null) virtualizer.scrollToIndex(selection.index, { align: "auto" });
  }, [selection.cursor, selection.index, virtualizer]);
  const items = virtualizer.getVirtualItems();
  // Stable for the rows (memo): a move of the cursor re-draws only the rows it leaves and enters.
  const focusRow = useCallback((id: RowKey) => dispatch({ type: "focus", id }), [dispatch]);
  const toggleRow = useCallback((id: RowKey) => dispatch({ type: "toggle", id }), [dispatch]);
  const restoreLine = useCallback((id: number) => act("restore", [id]), [act]);
  const lastShown = items[items.length - 1]?.index ?? -1;
  const { hasNextPage, isFetchingNextPage, isFetching, fetchNextPage } = inbox;
  // A short search that stopped short of the view's end reads on as long as the list's end is in
  // sight, counting the lines it has checked (not after a read failed: the alert says why).
  const searching = inbox.data?.pages.at(-1)?.searched_to != null && !inbox.isFetchNextPageError;
  const checked = inbox.data?.pages.reduce((n, p) => n + p.lines_checked, 0) ?? 0;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  useLoadMore(
    {
      reach: Math.max(lastShown, selection.index),
      rowCount: rows.length,
      hasMore: hasNextPage,
      fetching: isFetching,
      failed: inbox.isFetchNextPageError,
      pages: inbox.data?.pages.length ?? 0,
    },
    loadMore,
  );

  const allowed = ACTIONS[view];
  const count = selection.selected.size;
  const targetCount = targets(rows, selection).length;
  const allSelected = lineCount > 0 && count === lineCount;
  const marketplaces = new Map(accounts.data?.map((a) => [a.account.id, integrationName(a.account.kind)]));

  return (
    <section className="inbox" data-testid="inbox">
      <header className="screen-header">
        <h1>{t.inbox.title}</h1>
        <div className="tabs" role="tablist">
          {VIEWS.map((v) => (
            <button
              key={v}
              type="button"
              role="tab"
              aria-selected={view === v}
              className={view === v ? "tab active" : "tab"}
              data-testid={VIEW_TEST_IDS[v]}
              onClick={() => setView(v)}
            >
              {t.inbox.views[v]}
            </button>
          ))}
        </div>
        {view !== "processed" && (
          <select
            aria-label={t.inbox.sortBy}
            data-testid="inbox-sort"
            value={sort}
            onChange={(e) => setSort(e.target.value as InboxSort)}
          >
            {SORTS.map((s) => (
              <option key={s} value={s}>
                {t.inbox.sorts[s]}
              </option>
            ))}
          </select>
        )}
        <input
          ref={searchRef}
          type="search"
          className="inbox-search"
          data-testid="inbox-search"
          aria-label={t.inbox.search}
          aria-keyshortcuts="/"
          placeholder={t.inbox.searchPlaceholder}
          value={searchText}
          onChange={(e) => setSearchText(e.target.value)}
          onKeyDown={(e) => {
            // Enter goes back to the list (its keys work again); Esc empties the field first.
            if (e.key === "Enter") setEntered(searchText.trim());
            if (e.key === "Enter" || (e.key === "Escape" && searchText === "")) e.currentTarget.blur();
            else if (e.key === "Escape") setSearchText("");
          }}
        />
        <select
          aria-label={t.inbox.account}
          data-testid="inbox-account"
          value={accountId ?? ""}
          onChange={(e) => setAccountId(e.target.value === "" ? null : Number(e.target.value))}
        >
          <option value="">{t.inbox.allAccounts}</option>
          {accounts.data?.map((a) => (
            <option key={a.account.id} value={a.account.id}>
              {a.account.name}
            </option>
          ))}
        </select>
      </header>
      <div className="bulk-bar inbox-toolbar" role="toolbar" aria-label={t.inbox.toolbar} data-testid="inbox-toolbar">
        <label className="checkbox">
          <input
            type="checkbox"
            aria-label={t.inbox.selectAll}
            checked={allSelected}
            disabled={lineCount === 0}
            onChange={() => dispatch({ type: "toggleAll" })}
          />
          {count > 0 ? t.inbox.selected(count) : t.inbox.selectAll}
        </label>
        {allowed.map((action) => (
          <button
            key={action}
            type="button"
            className={action === "accept" ? "primary" : undefined}
            data-testid={`bulk-${action}`}
            title={`${t.keys[action]} (${ACTION_KEYS[action]})`}
            aria-keyshortcuts={ACTION_KEYS[action] === "Del" ? "Delete" : ACTION_KEYS[action]}
            disabled={targetCount === 0}
            onClick={() => act(action)}
          >
            {t.inbox[action]}
          </button>
        ))}
        {view === "new" && (
          <button
            type="button"
            data-testid="accept-with-offer"
            title={`${t.keys.offer} (o)`}
            aria-keyshortcuts="o"
            disabled={!cursorLine}
            onClick={() => cursorLine && setOfferLine(cursorLine)}
          >
            {t.inbox.acceptWithOffer}
          </button>
        )}
        <button
          type="button"
          className="link keys-hint"
          data-testid="inbox-keys"
          title={t.inbox.keysHint}
          aria-keyshortcuts="?"
          onClick={() => setHelp(true)}
        >
          {t.inbox.keys} <kbd>?</kbd>
        </button>
      </div>
      {inbox.isError && (
        <p className="form-problem" role="alert">
          {inbox.error.message}
        </p>
      )}
      <div className="inbox-body">
        <div className="inbox-list" ref={scrollRef}>
          {inbox.isSuccess && lines.length === 0 && !searching && (
            <p className="hint" data-testid="inbox-empty">
              {search !== ""
                ? t.inbox.noMatch(search)
                : view === "processed"
                  ? t.inbox.emptyProcessed
                  : view === "new" && accountId == null
                    ? t.inbox.empty
                    : t.inbox.emptyFiltered}
            </p>
          )}
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {items.map((item) => {
              const row = rows[item.index];
              if (!row) return null;
              const common = {
                isCursor: selection.cursor === row.key,
                top: item.start,
                onFocus: focusRow,
                onToggle: toggleRow,
                onOpen: onOpenOrder,
              };
              return row.kind === "order" ? (
                <OrderHeader
                  key={row.key}
                  row={row}
                  state={selectedOf(row, selection)}
                  marketplace={marketplaces.get(row.group.order.account_id) ?? null}
                  {...common}
                />
              ) : (
                <LineRow
                  key={row.key}
                  row={row}
                  view={view}
                  isSelected={selection.selected.has(row.key)}
                  onRestore={view === "deleted" ? restoreLine : undefined}
                  {...common}
                />
              );
            })}
          </div>
          {searching ? (
            <p className="hint inbox-loading" data-testid="inbox-searching">
              {t.inbox.searching(numberFormat(locale).format(checked))}
            </p>
          ) : (
            isFetchingNextPage && (
              <p className="hint inbox-loading" data-testid="inbox-loading">
                {t.common.loading}
              </p>
            )
          )}
        </div>
        <aside className="inbox-detail" data-testid="inbox-detail">
          <DetailPane order={cursorOrder} line={cursorLine} offers={view === "new"} />
        </aside>
      </div>
      {help && <KeyHelp onClose={() => setHelp(false)} />}
      {offerLine && <AcceptWithOffer line={offerLine} onClose={() => setOfferLine(null)} />}
    </section>
  );
}

type RowProps = {
  isCursor: boolean;
  /** Where the row starts in the list (the virtualizer's offset). */
  top: number;
  onFocus: (id: RowKey) => void;
  onToggle: (id: RowKey) => void;
  onOpen: (orderId: number) => void;
};

/** An order above its lines: all of its number, where it came from, how old it is, what it comes to. */
const OrderHeader = memo(function OrderHeader({
  row,
  state,
  marketplace,
  isCursor,
  top,
  onFocus,
  onToggle,
  onOpen,
}: RowProps & { row: Extract<InboxRow, { kind: "order" }>; state: "all" | "some" | "none"; marketplace: string | null }) {
  const { t, locale } = useI18n();
  const order: OrderGroup["order"] = row.group.order;
  const total = linesTotal(row.group.lines);
  const now = useNow();
  const due = order.order_ship_by == null ? null : shipByCountdown(order.order_ship_by, locale, now);
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (box.current) box.current.indeterminate = state === "some";
  }, [state]);
  return (
    <div
      className={`inbox-order${isCursor ? " cursor" : ""}${state === "all" ? " selected" : ""}`}
      data-testid="inbox-order"
      data-order-id={row.group.orderId}
      data-order-number={order.order_number}
      data-selected={state}
      data-cursor={isCursor}
      aria-current={isCursor}
      style={rowPlace(top, HEADER_HEIGHT)}
      onClick={() => onFocus(row.key)}
      onDoubleClick={() => onOpen(row.group.orderId)}
    >
      <input
        ref={box}
        type="checkbox"
        data-testid="order-select"
        aria-label={t.inbox.selectOrder(order.order_number)}
        checked={state === "all"}
        onClick={(e) => e.stopPropagation()}
        onChange={() => onToggle(row.key)}
      />
      <span className="order-number" data-testid="inbox-order-number">
        {order.order_number}
      </span>
      {order.marketplace_cancelled && (
        <span className="badge badge-warning" title={`${t.inbox.cancelledByBuyer} (${order.order_status})`}>
          {t.inbox.cancelledShort}
        </span>
      )}
      <span className="order-source">
        {marketplace && <span className="muted">{marketplace} · </span>}
        <span className="account-name" title={order.account}>
          {order.account}
        </span>
        {order.demo && <span className="badge">{t.demo.badge}</span>}
      </span>
      {order.order_region && (
        <span className="order-region muted" title={order.order_region}>
          {order.order_region}
        </span>
      )}
      <span className="order-facts">
        {due && order.order_ship_by && (
          <time
            className={`order-ship-by badge ${due.overdue ? "badge-error" : due.minutes < 24 * 60 ? "badge-warning" : ""}`}
            data-testid="order-ship-by"
            data-overdue={due.overdue}
            dateTime={order.order_ship_by}
            title={`${due.overdue ? t.inbox.overdue : t.inbox.shipBy} ${due.text}: ${t.inbox.shipByTitle(
              formatDateTime(order.order_ship_by, locale),
            )}`}
          >
            {/* Only the countdown (its colour says how urgent): the header has no room for the words,
                which would cut the account's name at 100 % (e2e appearance). */}
            {due.text}
          </time>
        )}
        {total && (
          <span className="order-total num" title={t.inbox.linesTotal}>
            {formatPrice(total.amount, total.currency, locale)}
          </span>
        )}
        <time className="order-age muted" dateTime={order.order_created_at} title={formatDateTime(order.order_created_at, locale)}>
          {formatAge(order.order_created_at, locale)}
        </time>
      </span>
    </div>
  );
});

/** One line of an order: its product (name over up to two lines, article), quantity and price. */
const LineRow = memo(function LineRow({
  row,
  view,
  isSelected,
  isCursor,
  top,
  onFocus,
  onToggle,
  onOpen,
  onRestore,
}: RowProps & {
  row: Extract<InboxRow, { kind: "line" }>;
  view: View;
  isSelected: boolean;
  onRestore: ((lineId: number) => void) | undefined;
}) {
  const { t, locale } = useI18n();
  const { line } = row.line;
  const id = line.id;
  return (
    <div
      className={`inbox-row${isCursor ? " cursor" : ""}${isSelected ? " selected" : ""}`}
      data-testid="inbox-row"
      data-line-id={id}
      data-order-number={row.line.order_number}
      data-selected={isSelected}
      data-cursor={isCursor}
      aria-current={isCursor}
      style={rowPlace(top, LINE_HEIGHT)}
      onClick={() => onFocus(id)}
      onDoubleClick={() => onOpen(row.group.orderId)}
    >
      <input
        type="checkbox"
        data-testid="row-select"
        aria-label={`${row.line.order_number} ${line.name}`}
        checked={isSelected}
        onClick={(e) => e.stopPropagation()}
        onChange={() => onToggle(id)}
      />
      <span className="col-product">
        <span className="product-name" title={line.name}>
          {line.name}
        </span>
        <span className="muted product-meta">
          {view === "processed" && line.decided_by_rule ? (
            <RuleDecisionText decision={line.decided_by_rule} />
          ) : (
            <>
              {line.offer_id} · SKU {line.sku}
            </>
          )}
          {line.bound_offer && (
            <>
              {" "}
              <BoundOfferText offer={line.bound_offer} currency={line.currency} />
            </>
          )}
        </span>
      </span>
      <span className="col-qty num">×{line.quantity}</span>
      <span className="col-price num">{formatPrice(line.price, line.currency, locale)}</span>
      {view === "new" && <InlineOffer line={row.line} />}
      {onRestore && (
        <button
          type="button"
          data-testid="row-restore"
          onClick={(e) => {
            e.stopPropagation();
            onRestore(id);
          }}
        >
          {t.inbox.restore}
        </button>
      )}
    </div>
  );
});

/** The offer `a` accepts the line with: list, price, stock, delivery and margin; or "no offer" in red. */
function InlineOffer({ line }: { line: InboxLine }) {
  const { t, locale } = useI18n();
  const best = line.best_offer;
  if (best == null) {
    return (
      <span className="col-offer error-text" data-testid="inline-offer" data-offer-id="" title={t.inbox.noOfferTitle}>
        {t.inbox.noOffer}
      </span>
    );
  }
  const { offer } = best;
  const negative = best.margin_percent != null && Number(best.margin_percent) < 0;
  return (
    <span className="col-offer" data-testid="inline-offer" data-offer-id={offer.id} title={t.inbox.offerTitle}>
      <span className="offer-head">
        <span className="muted offer-list">{offer.list}</span> <strong>{formatAmount(offer.price, locale)}</strong>
      </span>
      <span className="offer-facts muted">
        {offer.stock != null && <span>{t.inbox.offerStock(String(offer.stock))}</span>}
        {offer.delivery_days != null && <span>{t.offers.days(offer.delivery_days)}</span>}
        {best.margin_percent != null && (
          <span className={negative ? "error-text" : undefined} data-testid="inline-offer-margin">
            {t.inbox.offerMargin(formatPercent(best.margin_percent, locale))}
          </span>
        )}
      </span>
    </span>
  );
}

/**
 * The order (and, in New, the line's offers) where the cursor rests. The pause is waited for
 * here, so that the cursor coming to rest draws this pane alone and not the whole inbox beside it
 * in the same frame.
 */
const DetailPane = memo(function DetailPane({
  order,
  line,
  offers,
}: {
  order: number | undefined;
  line: InboxLine | undefined;
  offers: boolean;
}) {
  const { t } = useI18n();
  const detailOrder = useSettled(order, DETAIL_SETTLE_MS);
  const detailLine = useSettled(line, DETAIL_SETTLE_MS);
  return (
    <>
      {offers && detailLine && <LineOffers line={detailLine} />}
      {detailOrder != null ? <OrderDetail orderId={detailOrder} linesAtFirst={LINES_AT_FIRST} /> : <p className="hint">{t.inbox.detailHint}</p>}
    </>
  );
});
