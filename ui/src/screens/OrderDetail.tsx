import type { OrderDetail as Detail } from "../bindings/OrderDetail";
import { BoundOfferText, RuleDecisionText } from "../components/LineDecision";
import { OutboxRow } from "../components/OutboxRow";
import { formatDateTime, formatPrice } from "../format";
import { useI18n } from "../i18n";
import { useOrder } from "../queries";

/** One order: what the marketplace sent, what the manager decided, and what was sent back. */
export function OrderDetail({ orderId, onBack }: { orderId: number; onBack?: () => void }) {
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
      {order.data && <OrderBody detail={order.data} />}
    </section>
  );
}

function OrderBody({ detail }: { detail: Detail }) {
  const { t, locale } = useI18n();
  const { order, customer } = detail;
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
            ? [customer.name, customer.phone, customer.email, customer.address].filter(Boolean).join(" · ")
            : (order.customer_name ?? t.order.noCustomer)}
        </dd>
      </dl>
      <h3>{t.order.lines}</h3>
      <table className="lines">
        <tbody>
          {order.lines.map((l) => (
            <tr key={l.id} data-testid="order-line" data-state={l.state}>
              <td>
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
              </td>
            </tr>
          ))}
        </tbody>
      </table>
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
            <time>{formatDateTime(e.at, locale)}</time> <span className="muted">{e.actor}</span> {e.message}
          </li>
        ))}
      </ol>
    </>
  );
}
