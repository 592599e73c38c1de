import { useState } from "react";
import type { LineView } from "../bindings/LineView";
import type { OrderDetail as Detail } from "../bindings/OrderDetail";
import type { ShopStatus } from "../bindings/ShopStatus";
import { BoundOfferText, RuleDecisionText } from "../components/LineDecision";
import { OutboxRow } from "../components/OutboxRow";
import { StatusOptions } from "../components/StatusOptions";
import { useSetLineStatus } from "../components/useSetLineStatus";
import { formatDateTime, formatPrice } from "../format";
import { useI18n } from "../i18n";
import { eventText } from "../i18n/events";
import { useOrder, useShopStatuses } from "../queries";
import { statusName } from "../statuses/statuses";

/**
 * Lines the inbox's detail pane draws at first of a longer order: drawing 300 lines held the pane
 * for over 100 ms whenever the cursor came to rest on such an order; the rest is one click away.
 */
export const LINES_AT_FIRST = 20;

/**
 * One order: what the marketplace sent, what the manager decided, and what was sent back. Every
 * line is drawn unless `linesAtFirst` is given (the pane beside the inbox).
 */
export function OrderDetail({
  orderId,
  onBack,
  linesAtFirst,
}: {
  orderId: number;
  onBack?: () => void;
  linesAtFirst?: number;
}) {
  const { t } = useI18n();
  const order = useOrder(orderId);
  return (
    <section className="order-detail" data-testid="order-detail" aria-busy={order.isLoading}>
      {onBack && (
        <button type="button" className="link" onClick={onBack}>
          ← {t.common.back}
        </button>
      )}
      {order.isError && <p className="form-problem">{order.error.message}</p>}
      {/* Keyed: ticked lines and "show all" belong to one order, not to the pane. */}
      {order.data && <OrderBody key={order.data.order.id} detail={order.data} linesAtFirst={linesAtFirst} />}
    </section>
  );
}

function OrderBody({ detail, linesAtFirst }: { detail: Detail; linesAtFirst?: number }) {
  const { t, locale } = useI18n();
  const { order, customer } = detail;
  const statuses = useShopStatuses().data;
  const setStatus = useSetLineStatus();
  const accepted = order.lines.filter((l) => l.state === "accepted");
  // Ticking lines narrows the bulk change to them; with none ticked it moves every accepted line.
  const [ticked, setTicked] = useState<ReadonlySet<number>>(new Set());
  const [allLines, setAllLines] = useState(linesAtFirst == null);
  const shown = allLines ? order.lines : order.lines.slice(0, linesAtFirst);
  const chosen = accepted.filter((l) => ticked.has(l.id));
  const bulk = accepted.length > 1 && statuses != null;
  const moveTo = (lines: LineView[], statusId: number) => {
    const status = statuses?.find((s) => s.id === statusId);
    if (!status || lines.length === 0) return;
    setStatus.mutate({ lines: lines.map((l) => l.id), statusId, label: statusName(status, t) });
  };
  return (
    <>
      <h2>
        {t.order.title} <span data-testid="order-number">{order.number}</span>
        {order.demo && <span className="badge">{t.demo.badge}</span>}
      </h2>
      {order.changed_by_marketplace && (
        <p className="warning">
          {t.order.changedByMarketplace}: {order.changed_by_marketplace}
        </p>
      )}
      <dl className="facts">
        <dt>{t.order.status}</dt>
        <dd>{order.status}</dd>
        <dt>{t.order.account}</dt>
        <dd>{order.account}</dd>
        <dt>{t.order.created}</dt>
        <dd>{formatDateTime(order.created_at, locale)}</dd>
        <dt>{t.order.customer}</dt>
        <dd>
          {customer
            ? [customer.name, customer.phone, customer.email, customer.address]
                .filter(Boolean)
                // Each part isolated (FSI … PDI): a buyer's unclosed right-to-left override stays in
                // its part instead of turning the phone and address after it around.
                .map((part) => `\u2068${part}\u2069`)
                .join(" · ")
            : (order.customer_name ?? t.order.noCustomer)}
        </dd>
      </dl>
      <h3>{t.order.lines}</h3>
      {bulk && (
        <BulkStatus
          statuses={statuses}
          count={chosen.length > 0 ? chosen.length : accepted.length}
          all={chosen.length === 0}
          disabled={setStatus.isPending}
          onApply={(statusId) => moveTo(chosen.length > 0 ? chosen : accepted, statusId)}
        />
      )}
      <table className="lines">
        <tbody>
          {shown.map((l) => (
            <tr key={l.id} data-testid="order-line" data-state={l.state} data-line-id={l.id}>
              {bulk && (
                <td className="line-tick">
                  {l.state === "accepted" && (
                    <input
                      type="checkbox"
                      data-testid="line-select"
                      aria-label={l.name}
                      checked={ticked.has(l.id)}
                      onChange={(e) =>
                        setTicked((old) => {
                          const next = new Set(old);
                          if (e.target.checked) next.add(l.id);
                          else next.delete(l.id);
                          return next;
                        })
                      }
                    />
                  )}
                </td>
              )}
              <td className="line-name wrap-anywhere">
                {l.name}
                <div className="muted">
                  {l.offer_id} · SKU {l.sku}
                </div>
                {l.bound_offer && (
                  <div>
                    <BoundOfferText offer={l.bound_offer} currency={l.currency} />
                  </div>
                )}
                {l.decided_by_rule && (
                  <div className="muted">
                    <RuleDecisionText decision={l.decided_by_rule} />
                  </div>
                )}
              </td>
              <td className="num">×{l.quantity}</td>
              <td className="num">{formatPrice(l.price, l.currency, locale)}</td>
              <td>
                <span className={`state state-${l.state}`}>{t.order.lineStates[l.state]}</span>
                {l.state === "accepted" && statuses && (
                  <div>
                    <select
                      data-testid="line-status"
                      aria-label={t.lineStatus.of(l.name)}
                      value={l.shop_status_id ?? ""}
                      disabled={setStatus.isPending}
                      onChange={(e) => moveTo([l], Number(e.target.value))}
                    >
                      {/* Lines accepted before the shop had statuses have none until one is chosen. */}
                      {l.shop_status_id == null && <option value="">{t.lineStatus.none}</option>}
                      <StatusOptions statuses={statuses} />
                    </select>
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length < order.lines.length && (
        <p className="hint" data-testid="order-lines-more">
          {t.order.linesShown(shown.length, order.lines.length)}{" "}
          <button type="button" className="link" data-testid="order-lines-all" onClick={() => setAllLines(true)}>
            {t.order.showAllLines(order.lines.length)}
          </button>
        </p>
      )}
      <h3>{t.order.outbox}</h3>
      {detail.outbox.length === 0 && <p className="hint">{t.order.noOutbox}</p>}
      <ul className="outbox">
        {detail.outbox.map((o) => (
          <OutboxRow key={o.id} row={o} />
        ))}
      </ul>
      <h3>{t.order.events}</h3>
      <ol className="events">
        {detail.events.map((e) => (
          <li key={e.id} data-testid="order-event">
            <time>{formatDateTime(e.at, locale)}</time> <span className="muted">{t.cabinet.order.actors[e.actor] ?? e.actor}</span> {eventText(e, t)}
          </li>
        ))}
      </ol>
    </>
  );
}

/** One status for several accepted lines of the order: the ticked ones, or all of them. */
function BulkStatus(props: {
  statuses: ShopStatus[];
  count: number;
  all: boolean;
  disabled: boolean;
  onApply: (statusId: number) => void;
}) {
  const { t } = useI18n();
  const [statusId, setStatusId] = useState("");
  return (
    <div className="field-row line-status-bulk">
      <select
        data-testid="order-status-bulk"
        aria-label={t.lineStatus.bulkLabel}
        value={statusId}
        onChange={(e) => setStatusId(e.target.value)}
      >
        <option value="">{t.lineStatus.choose}</option>
        <StatusOptions statuses={props.statuses} />
      </select>
      <button
        type="button"
        data-testid="order-status-apply"
        disabled={statusId === "" || props.disabled}
        onClick={() => props.onApply(Number(statusId))}
      >
        {props.all ? t.lineStatus.applyAll(props.count) : t.lineStatus.applySelected(props.count)}
      </button>
    </div>
  );
}
