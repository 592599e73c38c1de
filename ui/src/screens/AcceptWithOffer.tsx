import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { api } from "../api";
import type { InboxLine } from "../bindings/InboxLine";
import type { OfferMatch } from "../bindings/OfferMatch";
import { boundOfferLabel } from "../components/LineDecision";
import { formatPercent, formatPrice } from "../format";
import { useI18n } from "../i18n";
import { isControlActivation, isTypingTarget, latinKey } from "../inbox/keys";
import { useDecisionNotice } from "../inbox/undo";
import {
  asMatches,
  parsePriceOverride,
  parseQuantityOverride,
  sortOffers,
  type SortBy,
} from "../pricelist/offers";
import { refreshAfterDecision, useLineOffers, useOfferSearch } from "../queries";

/**
 * Accepting one line with a supplier's offer: the offers matching its article or SKU (or, when
 * none does, found by search), with the margin over the marketplace price. Keyboard: j/k move,
 * Enter accepts, s switches the sort, Esc closes.
 */
export function AcceptWithOffer({ line, onClose }: { line: InboxLine; onClose: () => void }) {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const decided = useDecisionNotice();
  const matches = useLineOffers(line.line.id);
  const [sortBy, setSortBy] = useState<SortBy>("price");
  const [search, setSearch] = useState("");
  const deferredSearch = useDeferredValue(search);
  const found = useOfferSearch(deferredSearch, 50);
  const byHand = matches.isSuccess && matches.data.length === 0;
  const offers = useMemo(
    () => sortOffers(byHand ? asMatches(found.data ?? [], line.line.price) : (matches.data ?? []), sortBy),
    [byHand, found.data, matches.data, line.line.price, sortBy],
  );
  const [cursorId, setCursorId] = useState<number | null>(null);
  // The cursor follows an offer, not a position, so re-sorting keeps it on the same offer.
  const cursor = Math.max(0, offers.findIndex((m) => m.offer.id === cursorId));
  const [quantity, setQuantity] = useState("");
  const [price, setPrice] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const dialog = useRef<HTMLDivElement>(null);

  useEffect(() => {
    // Keys must reach the panel, not a checkbox of the inbox row that still has the focus.
    if (!dialog.current?.contains(document.activeElement)) dialog.current?.focus();
  }, []);

  const accept = useMutation({
    mutationFn: (m: { match: OfferMatch; quantity: number | null; price: string | null }) =>
      api.acceptWithOffer(line.line.id, { offer_id: m.match.offer.id, quantity: m.quantity, price: m.price }),
    onSuccess: (report, m) => {
      const bound = { ...m.match.offer, price: m.price ?? m.match.offer.price, quantity: m.quantity ?? line.line.quantity };
      decided(t.accept.accepted(boundOfferLabel(bound, line.line.currency, locale)), report.changed);
      onClose();
    },
    onError: (e) => setProblem(e.message),
    onSettled: () => refreshAfterDecision(qc),
  });

  const bind = useCallback(
    (index: number) => {
      const match = offers[index];
      if (!match || accept.isPending) return;
      const q = parseQuantityOverride(quantity);
      if (!q.ok) return setProblem(t.accept.badQuantity);
      const p = parsePriceOverride(price);
      if (!p.ok) return setProblem(t.accept.badPrice);
      accept.mutate({ match, quantity: q.quantity, price: p.price });
    },
    [offers, accept, quantity, price, t],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.preventDefault();
        return onClose();
      }
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTypingTarget(e.target) || isControlActivation(e)) return;
      const moveTo = (index: number) => setCursorId(offers[index]?.offer.id ?? null);
      switch (latinKey(e)) {
        case "j":
        case "ArrowDown":
          e.preventDefault();
          return moveTo(Math.min(offers.length - 1, cursor + 1));
        case "k":
        case "ArrowUp":
          e.preventDefault();
          return moveTo(Math.max(0, cursor - 1));
        case "Enter":
          e.preventDefault();
          return bind(cursor);
        case "s":
          e.preventDefault();
          return setSortBy((s) => (s === "price" ? "delivery" : "price"));
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [offers, cursor, bind, onClose]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    bind(cursor);
  };
  const c = t.offers.columns;

  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div
        className="modal offer-panel"
        role="dialog"
        aria-modal="true"
        aria-label={t.accept.title}
        data-testid="offer-panel"
        tabIndex={-1}
        ref={dialog}
        onClick={(e) => e.stopPropagation()}
      >
        <h2>{t.accept.title}</h2>
        <p className="offer-panel-line">
          <strong>{line.order_number}</strong> {line.line.name}{" "}
          <span className="muted">
            {line.line.offer_id} · SKU {line.line.sku} · ×{line.line.quantity} ·{" "}
            {formatPrice(line.line.price, line.line.currency, locale)}
          </span>
        </p>
        {matches.isLoading && <p className="hint">{t.common.loading}</p>}
        {matches.isError && <p className="form-problem">{matches.error.message}</p>}
        {byHand && (
          <label>
            {t.accept.noMatches}
            <input
              type="search"
              data-testid="offer-panel-search"
              value={search}
              placeholder={t.offers.searchPlaceholder}
              autoFocus
              onChange={(e) => setSearch(e.target.value)}
            />
          </label>
        )}
        {byHand && found.data?.length === 0 && <p className="hint">{t.offers.noResults}</p>}
        {offers.length > 0 && (
          <>
            <div className="field-row">
              <span>{t.accept.sortBy}</span>
              <div className="tabs" role="tablist">
                {(["price", "delivery"] as const).map((by) => (
                  <button
                    key={by}
                    type="button"
                    role="tab"
                    aria-selected={sortBy === by}
                    className={sortBy === by ? "tab active" : "tab"}
                    data-testid={`offer-sort-${by}`}
                    onClick={() => setSortBy(by)}
                  >
                    {by === "price" ? t.accept.byPrice : t.accept.byDelivery}
                  </button>
                ))}
              </div>
            </div>
            <div className="table-scroll offer-table">
              <table className="grid">
                <thead>
                  <tr>
                    <th>{c.brand}</th>
                    <th>{c.article}</th>
                    <th>{c.name}</th>
                    <th>{c.list}</th>
                    <th className="num">{c.price}</th>
                    <th className="num">{c.stock}</th>
                    <th className="num">{c.delivery}</th>
                    <th className="num">{c.margin}</th>
                    <th>{c.found}</th>
                  </tr>
                </thead>
                <tbody>
                  {offers.map((m, i) => (
                    <tr
                      key={m.offer.id}
                      className={i === cursor ? "cursor" : undefined}
                      data-testid="offer-row"
                      data-offer-id={m.offer.id}
                      data-cursor={i === cursor}
                      aria-selected={i === cursor}
                      onClick={() => setCursorId(m.offer.id)}
                      onDoubleClick={() => bind(i)}
                    >
                      <td>{m.offer.brand}</td>
                      <td>{m.offer.article}</td>
                      <td>{m.offer.name}</td>
                      <td className="muted">{m.offer.list}</td>
                      <td className="num">{formatPrice(m.offer.price, line.line.currency, locale)}</td>
                      <td className="num">{m.offer.stock ?? ""}</td>
                      <td className="num">{m.offer.delivery_days == null ? "" : t.offers.days(m.offer.delivery_days)}</td>
                      <td className={Number(m.margin_percent) < 0 ? "num error-text" : "num"}>
                        {formatPercent(m.margin_percent, locale)}
                      </td>
                      <td className="muted">{t.offers.matchedBy[m.matched_by] ?? m.matched_by}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
        <form className="field-row" onSubmit={submit}>
          <label className="inline">
            {t.accept.quantity}
            <input
              data-testid="offer-quantity"
              inputMode="numeric"
              size={10}
              value={quantity}
              placeholder={t.accept.quantityPlaceholder(line.line.quantity)}
              onChange={(e) => setQuantity(e.target.value)}
            />
          </label>
          <label className="inline">
            {t.accept.price}
            <input
              data-testid="offer-price"
              inputMode="decimal"
              size={10}
              value={price}
              placeholder={t.accept.pricePlaceholder}
              onChange={(e) => setPrice(e.target.value)}
            />
          </label>
          <button type="submit" className="primary" data-testid="offer-bind" disabled={offers.length === 0 || accept.isPending}>
            {accept.isPending ? t.accept.accepting : t.accept.bind}
          </button>
          <button type="button" onClick={onClose}>
            {t.common.cancel}
          </button>
        </form>
        {problem && (
          <p className="form-problem" role="alert">
            {problem}
          </p>
        )}
        <p className="hint">{t.accept.keysHint}</p>
      </div>
    </div>
  );
}
