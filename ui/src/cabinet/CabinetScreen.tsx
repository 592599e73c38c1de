import { useQueryClient } from "@tanstack/react-query";
import { Suspense, lazy, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { CabinetRow } from "../bindings/CabinetRow";
import type { OrderFilter } from "../bindings/OrderFilter";
import type { OrderSort } from "../bindings/OrderSort";
import { useI18n } from "../i18n";
import { isControlActivation, isTypingTarget, latinKey } from "../inbox/keys";
import { useAccounts, useShopStatuses } from "../queries";
import { activeTargets, useTransferTargets } from "../transfers/queries";
import { SendFlowPanel, useSendFlow } from "../transfers/SendFlow";
import { BulkBar } from "./BulkBar";
import { ExportDialog } from "./ExportDialog";
import { Filters } from "./Filters";
import { rememberedPlace, useCabinetPages, useCabinetStats } from "./queries";
import { SavedViews } from "./SavedViews";
import { clearSelection, move, noSelection, rowIndex, selectedIds, toggleAll, toggleCursor, type RowSelection } from "./selection";
import { OrdersTable } from "./OrdersTable";
import { StatsBar } from "./StatsBar";
import { defaultView, loadCurrentView, serializeView, storeCurrentView, type CabinetView } from "./viewState";
import { useScreenReady } from "../perf";

// chart.js is loaded only when the charts are first opened.
const Charts = lazy(() => import("./Charts").then((m) => ({ default: m.Charts })));

/**
 * "All orders": counts per status, combinable filters, a virtualised table read in keyset pages,
 * bulk actions on the selected orders, charts and the CSV export. The view (filters and sort) is
 * kept, so leaving the screen and coming back shows the same orders.
 */
export function CabinetScreen({ onOpen, onNew }: { onOpen: (id: number) => void; onNew: () => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const statuses = useShopStatuses().data;
  const accounts = useAccounts().data;
  const [view, setViewState] = useState<CabinetView>(loadCurrentView);
  /** The filters as the form shows them: applied by Find. */
  const [draft, setDraft] = useState<OrderFilter>(view.filter);
  const [charts, setCharts] = useState(false);
  const [exporting, setExporting] = useState(false);
  // One sending at a time for the whole cabinet: the bulk bar's and the rows' menus share it.
  const sendFlow = useSendFlow();
  const targets = activeTargets(useTransferTargets().data);
  // Back from an order: the cursor is where it was.
  const [selection, setSelection] = useState<RowSelection>(() => ({ ...noSelection, cursor: rememberedPlace(qc, view).cursor }));
  const searchRef = useRef<HTMLInputElement>(null);

  const show = useCallback((next: CabinetView) => {
    storeCurrentView(next);
    setViewState(next);
    setDraft(next.filter);
    // Another list: what was selected in the old one is not in view any more.
    setSelection(noSelection);
  }, []);
  const applyFilter = (filter: OrderFilter) => show({ filter, sort: view.sort });
  const applySort = (sort: OrderSort) => show({ filter: view.filter, sort });

  const pages = useCabinetPages(view.filter, view.sort);
  const stats = useCabinetStats(view.filter);
  useScreenReady("orders", pages.isSuccess && stats.isSuccess && statuses !== undefined);
  const rows = useMemo<CabinetRow[]>(() => pages.data?.pages.flatMap((p) => p.rows) ?? [], [pages.data]);
  const index = useMemo(() => rowIndex(rows.map((r) => r.id)), [rows]);
  const chosen = useMemo(
    () => selectedIds(index, selection).map((id) => rows[index.at.get(id) as number] as CabinetRow),
    [index, selection, rows],
  );
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  // A search of one or two characters goes through a bounded number of orders a read: while the
  // last read stopped short, the list reads on (as its end comes in sight) and says how far it got.
  const searching = pages.data?.pages.at(-1)?.stopped === true && !pages.isFetchNextPageError;
  const checked = pages.data?.pages.reduce((n, p) => n + (p.orders_checked ?? 0), 0) ?? 0;

  useEffect(() => {
    if (exporting) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTypingTarget(e.target) || isControlActivation(e)) return;
      switch (latinKey(e)) {
        case "j":
        case "ArrowDown":
          e.preventDefault();
          setSelection((s) => move(index, s, s.cursor == null ? 0 : 1));
          return;
        case "k":
        case "ArrowUp":
          e.preventDefault();
          setSelection((s) => move(index, s, -1));
          return;
        case "x":
        case " ":
          e.preventDefault();
          setSelection((s) => toggleCursor(index, s));
          return;
        case "*":
          e.preventDefault();
          setSelection((s) => toggleAll(index, s));
          return;
        case "Enter":
          if (selection.cursor != null && index.at.has(selection.cursor)) {
            e.preventDefault();
            onOpen(selection.cursor);
          }
          return;
        case "/":
          e.preventDefault();
          searchRef.current?.focus();
          searchRef.current?.select();
          return;
        case "Escape":
          setSelection(clearSelection);
          return;
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [exporting, index, selection.cursor, onOpen]);

  return (
    <section className="cabinet" data-testid="cabinet">
      <header className="screen-header">
        <h1>{t.cabinet.title}</h1>
        <button type="button" className="primary" data-testid="new-order" onClick={onNew}>
          {t.cabinet.newOrder}
        </button>
        <button type="button" data-testid="cabinet-export-open" onClick={() => setExporting(true)}>
          {t.cabinet.export.open}
        </button>
        <button
          type="button"
          data-testid="cabinet-charts-toggle"
          aria-pressed={charts}
          className={charts ? "active" : undefined}
          onClick={() => setCharts((c) => !c)}
        >
          {t.cabinet.charts}
        </button>
        <SavedViews current={view} onOpen={show} />
        <span className="hint keys-hint">{t.cabinet.keysHint}</span>
      </header>
      <StatsBar
        stats={stats.data}
        statuses={statuses}
        filter={view.filter}
        onPick={(part) => applyFilter({ ...view.filter, ...part })}
      />
      <Filters
        draft={draft}
        applied={view.filter}
        onChange={setDraft}
        onFind={() => applyFilter(draft)}
        onClear={() => show(defaultView())}
        onClearPart={(part) => applyFilter({ ...view.filter, ...part })}
        statuses={statuses}
        accounts={accounts}
        searchRef={searchRef}
      />
      {charts && (
        <Suspense fallback={<p className="hint screen-text">{t.common.loading}</p>}>
          <Charts filter={view.filter} />
        </Suspense>
      )}
      <BulkBar rows={chosen} statuses={statuses} sendFlow={sendFlow} onDone={() => setSelection(clearSelection)} />
      <SendFlowPanel flow={sendFlow} />
      {(pages.isError || stats.isError) && (
        <p className="form-problem screen-text" role="alert">
          {(pages.error ?? stats.error)?.message}
        </p>
      )}
      <OrdersTable
        key={serializeView(view)}
        view={view}
        rows={rows}
        index={index}
        selection={selection}
        onSelection={setSelection}
        sort={view.sort}
        onSort={applySort}
        onOpen={onOpen}
        statuses={statuses}
        targets={targets}
        onSend={(target, id) => sendFlow.send(target, [id])}
        more={{
          hasMore: hasNextPage,
          fetching: pages.isFetching,
          failed: pages.isFetchNextPageError,
          pages: pages.data?.pages.length ?? 0,
        }}
        loadingMore={isFetchingNextPage}
        searched={searching ? checked : null}
        onLoadMore={loadMore}
        empty={pages.isSuccess && rows.length === 0 && !searching}
      />
      {exporting && <ExportDialog statuses={statuses} onClose={() => setExporting(false)} />}
    </section>
  );
}
