import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api";
import type { InboxLine } from "../bindings/InboxLine";
import type { InboxQuery } from "../bindings/InboxQuery";
import type { LineState } from "../bindings/LineState";
import type { TriageAction } from "../bindings/TriageAction";
import { BoundOfferText, RuleDecisionText } from "../components/LineDecision";
import { useNotices } from "../components/Notices";
import { formatDateTime, formatPrice } from "../format";
import { useI18n } from "../i18n";
import { commandFor, isControlActivation, isTypingTarget, type InboxCommand } from "../inbox/keys";
import { emptySelection, reconcile, reduceSelection, targets, type SelectionAction } from "../inbox/selection";
import { UNDO, useDecisionNotice } from "../inbox/undo";
import { keys, refreshAfterDecision, useAccounts, useInbox } from "../queries";
import { AcceptWithOffer } from "./AcceptWithOffer";
import { KeyHelp } from "./KeyHelp";
import { OrderDetail } from "./OrderDetail";

const ROW_HEIGHT = 52;
/** A triage state, or the lines automatic rules decided (whatever their state now). */
type View = LineState | "processed";
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

export function Inbox({ onOpenOrder }: { onOpenOrder: (orderId: number) => void }) {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const decided = useDecisionNotice();
  const accounts = useAccounts();
  const [view, setView] = useState<View>("new");
  const [accountId, setAccountId] = useState<number | null>(null);
  const [help, setHelp] = useState(false);
  /** The line whose offer is being chosen; the panel owns the keyboard while it is open. */
  const [offerLine, setOfferLine] = useState<InboxLine | null>(null);
  const query: InboxQuery = useMemo(
    () =>
      // With `processed` the engine lists rule-decided lines in any state; `state` is then ignored.
      view === "processed"
        ? { account_id: accountId, state: "new", limit: null, processed: true }
        : { account_id: accountId, state: view, limit: null, processed: false },
    [accountId, view],
  );
  const inbox = useInbox(query);
  const lines = useMemo(() => inbox.data ?? [], [inbox.data]);
  const ids = useMemo(() => lines.map((l) => l.line.id), [lines]);
  const [rawSelection, setSelection] = useState(emptySelection);
  const selection = reconcile(ids, rawSelection);
  // A sync's refreshes list new lines above the cursor's; remember where its line is now, so that
  // when it leaves, the cursor lands on its neighbour rather than where it was before the sync. A
  // cursor that only left (an optimistic triage) is not remembered: a failure brings its line back.
  if (selection !== rawSelection && selection.cursor === rawSelection.cursor) setSelection(selection);
  const dispatch = useCallback((a: SelectionAction) => setSelection((s) => reduceSelection(ids, s, a)), [ids]);

  useEffect(() => setSelection(emptySelection), [view, accountId]);

  const triage = useMutation({
    mutationFn: ({ lineIds, action }: { lineIds: number[]; action: TriageAction }) => api.triage(lineIds, action),
    onMutate: async ({ lineIds }) => {
      // The rows leave at once; a failure puts them back through the refetch below.
      await qc.cancelQueries({ queryKey: keys.inbox(query) });
      const gone = new Set(lineIds);
      qc.setQueryData<InboxLine[]>(keys.inbox(query), (old) => old?.filter((l) => !gone.has(l.line.id)));
    },
    onSuccess: (report, { action }) => {
      const n = report.changed.length;
      const text = { accept: t.inbox.accepted, reject: t.inbox.rejected, delete: t.inbox.deleted, restore: t.inbox.restored }[
        action
      ](n);
      // Restoring sends nothing to the marketplace, so there is nothing held to take back.
      decided(text, action === "restore" ? [] : report.changed);
    },
    onError: (e) => notices.error(e.message),
    onSettled: () => refreshAfterDecision(qc),
  });

  const act = useCallback(
    (action: TriageAction, lineIds?: number[]) => {
      if (!ACTIONS[view].includes(action)) return;
      const chosen = lineIds ?? targets(ids, selection);
      if (chosen.length === 0) return;
      triage.mutate({ lineIds: chosen, action });
      dispatch({ type: "clear" });
    },
    [view, ids, selection, triage, dispatch],
  );

  const cursorLine = lines[selection.index]?.line.id === selection.cursor ? lines[selection.index] : undefined;

  const run = useCallback(
    (cmd: InboxCommand) => {
      switch (cmd) {
        case "down":
          return dispatch({ type: "move", delta: selection.cursor == null ? 0 : 1 });
        case "up":
          return dispatch({ type: "move", delta: -1 });
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
          if (cursorLine) onOpenOrder(cursorLine.order_id);
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
        case "undo":
          // Only while the decision's notice is up: after it the calls have gone out.
          notices.press(UNDO);
          return;
      }
    },
    [dispatch, selection.cursor, act, cursorLine, onOpenOrder, help, view, notices],
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
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  useEffect(() => {
    if (selection.cursor != null) virtualizer.scrollToIndex(selection.index, { align: "auto" });
  }, [selection.cursor, selection.index, virtualizer]);

  const allowed = ACTIONS[view];
  const count = selection.selected.size;
  const targetCount = targets(ids, selection).length;
  const allSelected = ids.length > 0 && count === ids.length;

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
      <div className="bulk-bar">
        <label className="checkbox">
          <input
            type="checkbox"
            aria-label={t.inbox.selectAll}
            checked={allSelected}
            disabled={ids.length === 0}
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
            disabled={targetCount === 0}
            onClick={() => act(action)}
          >
            {t.inbox[action]} <kbd>{ACTION_KEYS[action]}</kbd>
          </button>
        ))}
        {view === "new" && (
          <button
            type="button"
            data-testid="accept-with-offer"
            disabled={!cursorLine}
            onClick={() => cursorLine && setOfferLine(cursorLine)}
          >
            {t.inbox.acceptWithOffer} <kbd>o</kbd>
          </button>
        )}
        <button type="button" className="link keys-hint" onClick={() => setHelp(true)}>
          {t.inbox.keysHint}
        </button>
      </div>
      {inbox.isError && (
        <p className="form-problem" role="alert">
          {inbox.error.message}
        </p>
      )}
      <div className="inbox-body">
        <div className="inbox-list" ref={scrollRef}>
          {inbox.isSuccess && lines.length === 0 && (
            <p className="hint" data-testid="inbox-empty">
              {view === "processed"
                ? t.inbox.emptyProcessed
                : view === "new" && accountId == null
                  ? t.inbox.empty
                  : t.inbox.emptyFiltered}
            </p>
          )}
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = lines[item.index];
              if (!row) return null;
              const id = row.line.id;
              const isCursor = selection.cursor === id;
              const isSelected = selection.selected.has(id);
              return (
                <div
                  key={id}
                  className={`inbox-row${isCursor ? " cursor" : ""}${isSelected ? " selected" : ""}`}
                  data-testid="inbox-row"
                  data-line-id={id}
                  data-order-number={row.order_number}
                  data-selected={isSelected}
                  data-cursor={isCursor}
                  aria-current={isCursor}
                  style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                  onClick={() => dispatch({ type: "focus", id })}
                  onDoubleClick={() => onOpenOrder(row.order_id)}
                >
                  <input
                    type="checkbox"
                    data-testid="row-select"
                    aria-label={`${row.order_number} ${row.line.name}`}
                    checked={isSelected}
                    onClick={(e) => e.stopPropagation()}
                    onChange={() => dispatch({ type: "toggle", id })}
                  />
                  <span className="col-order">
                    {row.order_number}
                    {row.marketplace_cancelled && (
                      <span className="badge badge-warning" title={row.order_status}>
                        {t.inbox.cancelledByBuyer}
                      </span>
                    )}
                  </span>
                  <span className="col-product">
                    <span className="product-name">{row.line.name}</span>
                    <span className="muted">
                      {view === "processed" && row.line.decided_by_rule ? (
                        <RuleDecisionText decision={row.line.decided_by_rule} />
                      ) : (
                        <>
                          {row.line.offer_id} · SKU {row.line.sku}
                        </>
                      )}
                      {row.line.bound_offer && (
                        <>
                          {" "}
                          <BoundOfferText offer={row.line.bound_offer} currency={row.line.currency} />
                        </>
                      )}
                    </span>
                  </span>
                  <span className="col-qty num">×{row.line.quantity}</span>
                  <span className="col-price num">{formatPrice(row.line.price, row.line.currency, locale)}</span>
                  <span className="col-account muted">
                    <span className="account-name">{row.account}</span>
                    {row.demo && <span className="badge">{t.demo.badge}</span>}
                  </span>
                  <span className="col-time muted">{formatDateTime(row.order_created_at, locale)}</span>
                  {view === "deleted" && (
                    <button
                      type="button"
                      data-testid="row-restore"
                      onClick={(e) => {
                        e.stopPropagation();
                        act("restore", [id]);
                      }}
                    >
                      {t.inbox.restore}
                    </button>
                  )}
                </div>
              );
            })}
          </div>
        </div>
        <aside className="inbox-detail">{cursorLine && <OrderDetail orderId={cursorLine.order_id} />}</aside>
      </div>
      {help && <KeyHelp onClose={() => setHelp(false)} />}
      {offerLine && <AcceptWithOffer line={offerLine} onClose={() => setOfferLine(null)} />}
    </section>
  );
}
