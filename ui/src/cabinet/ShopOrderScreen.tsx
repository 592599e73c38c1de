import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import type { ShopOrderFull } from "../bindings/ShopOrderFull";
import type { ShopStatus } from "../bindings/ShopStatus";
import { ConfirmButton } from "../components/ConfirmButton";
import { useNotices } from "../components/Notices";
import { StatusOptions } from "../components/StatusOptions";
import { formatDateTime, formatPrice } from "../format";
import { useI18n } from "../i18n";
import { timelineText } from "../i18n/events";
import { eventText } from "../i18n/events";
import { integration } from "../integrations";
import { useSettings, useShopStatuses } from "../queries";
import { statusName } from "../statuses/statuses";
import { BuyerLink } from "./BuyerLink";
import { itemsTotal, orderTotal } from "./draft";
import { OrderForm } from "./OrderForm";
import { OrderTransfers } from "./OtherSystems";
import { deletingTargetNames } from "../transfers/deleting";
import { useTransferTargets } from "../transfers/queries";
import { refreshAfterOrderChange, useShopOrderFull } from "./queries";
import { DELETED, TRANSFERRED, awaitingPayment, codAmount, kindName, manualStatuses, statusById } from "./words";

/** A new hand-made order: the engine fills the number with the creation time. */
export function NewOrderScreen({ onCreated, onCancel }: { onCreated: (id: number) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const draft = useQuery({ queryKey: ["newOrderDraft"], queryFn: api.newOrderDraft, staleTime: Infinity, gcTime: 0 });
  return (
    <section className="shop-order" data-testid="new-order-screen">
      <button type="button" className="link" onClick={onCancel}>
        ← {t.common.back}
      </button>
      {draft.isError && <p className="form-problem">{draft.error.message}</p>}
      {draft.data && (
        <OrderForm initial={draft.data} mode={{ kind: "new" }} onSaved={(o) => onCreated(o.id)} onCancel={onCancel} />
      )}
    </section>
  );
}

/** One shop order: every field, its items and its whole history; edit, status, delete and restore. */
export function ShopOrderScreen({
  id,
  onBack,
  onOpenMarketplaceOrder,
}: {
  id: number;
  onBack: () => void;
  onOpenMarketplaceOrder: (orderId: number) => void;
}) {
  const { t } = useI18n();
  const order = useShopOrderFull(id);
  const [editing, setEditing] = useState(false);
  return (
    <section className="shop-order" data-testid="shop-order" aria-busy={order.isLoading}>
      <button type="button" className="link" data-testid="shop-order-back" onClick={onBack}>
        ← {t.common.back}
      </button>
      {order.isError && <p className="form-problem">{order.error.message}</p>}
      {order.data &&
        (editing ? (
          <OrderForm
            initial={order.data.draft}
            mode={{ kind: "edit", id }}
            transfers={order.data.transfers}
            onSaved={() => setEditing(false)}
            onCancel={() => setEditing(false)}
          />
        ) : (
          <OrderView
            order={order.data}
            onEdit={() => setEditing(true)}
            onPurged={onBack}
            onOpenMarketplaceOrder={onOpenMarketplaceOrder}
          />
        ))}
    </section>
  );
}

function OrderView({
  order,
  onEdit,
  onPurged,
  onOpenMarketplaceOrder,
}: {
  order: ShopOrderFull;
  onEdit: () => void;
  onPurged: () => void;
  onOpenMarketplaceOrder: (orderId: number) => void;
}) {
  const { t, locale } = useI18n();
  const o = t.cabinet.order;
  const Facts = order.account_kind ? integration(order.account_kind).OrderFacts : undefined;
  const qc = useQueryClient();
  const notices = useNotices();
  const statuses = useShopStatuses().data;
  const methods = useSettings().data?.delivery_methods;
  const [warning, setWarning] = useState(false);
  const [restoreTo, setRestoreTo] = useState("");
  const d = order.draft;
  const status = statusById(statuses, order.status_id);
  const deleted = status?.code === DELETED;
  const money = (amount: string | number) =>
    formatPrice(typeof amount === "number" ? amount.toFixed(2) : amount, d.currency, locale);
  const settled = () => refreshAfterOrderChange(qc);

  const setStatus = useMutation({
    mutationFn: (s: ShopStatus) => api.setShopOrderStatus([order.id], s.id),
    onSuccess: (report, s) => {
      notices.info(deleted ? o.restored(statusName(s, t)) : o.statusChanged(statusName(s, t)));
      if (report.not_sent.length > 0) notices.warning(
          t.lineStatus.notSent,
          report.not_sent.map((e) => timelineText(e, t)),
        );
      setRestoreTo("");
    },
    onError: (e) => notices.error(e.message),
    onSettled: settled,
  });
  // Targets that would delete (or cancel) the order there too, when asked.
  const there = deletingTargetNames(order.transfers, useTransferTargets().data ?? []);
  const remove = useMutation({
    mutationFn: async ({ removeLinks, atTargets }: { removeLinks: boolean; atTargets: boolean }) => {
      await api.deleteShopOrders([order.id], removeLinks);
      return atTargets ? api.deleteAtTargets([order.id]) : null;
    },
    onSuccess: (queuedThere) => {
      notices.info(o.deleted);
      if (queuedThere != null) notices.info(t.cabinet.bulk.deletedThere(queuedThere));
      setWarning(false);
    },
    onError: (e) => notices.error(e.message),
    onSettled: settled,
  });
  const purge = useMutation({
    mutationFn: () => api.purgeShopOrders([order.id]),
    onSuccess: () => {
      notices.info(o.purged);
      onPurged();
    },
    onError: (e) => notices.error(e.message),
    onSettled: settled,
  });
  const busy = setStatus.isPending || remove.isPending || purge.isPending;
  const choosable = statuses ? manualStatuses(statuses) : [];
  const method = methods?.find((m) => m.id === d.delivery_method)?.name ?? d.delivery_method;
  const source = order.account ?? (order.account_kind ? kindName(order.account_kind) : t.cabinet.manual);
  const r = d.recipient;

  return (
    <>
      <header className="shop-order-head">
        <h1>
          {o.title} <span data-testid="shop-order-number">{d.number}</span>
          {d.preorder && <span className="badge">{t.cabinet.preorder}</span>}
        </h1>
        <div className="row-actions">
          {!deleted && (
            <button type="button" data-testid="shop-order-edit" disabled={busy} onClick={onEdit}>
              {d.preorder ? o.completePreorder : o.edit}
            </button>
          )}
          {!deleted && d.preorder && <BuyerLink orderId={order.id} />}
          {!deleted && (
            <button
              type="button"
              className="danger"
              data-testid="shop-order-delete"
              disabled={busy}
              onClick={() =>
                order.transferred_to || there.length > 0 ? setWarning(true) : remove.mutate({ removeLinks: false, atTargets: false })
              }
            >
              {o.delete}
            </button>
          )}
          {deleted && (
            <>
              <select
                data-testid="shop-order-restore"
                aria-label={o.restoreTo}
                value={restoreTo}
                onChange={(e) => setRestoreTo(e.target.value)}
              >
                <option value="">{o.restoreTo}</option>
                <StatusOptions statuses={choosable} />
              </select>
              <button
                type="button"
                data-testid="shop-order-restore-apply"
                disabled={restoreTo === "" || busy}
                onClick={() => {
                  const s = choosable.find((x) => String(x.id) === restoreTo);
                  if (s) setStatus.mutate(s);
                }}
              >
                {o.restore}
              </button>
              <ConfirmButton testId="shop-order-purge" question={t.cabinet.bulk.purgeQuestion(1)} disabled={busy} onConfirm={() => purge.mutate()}>
                {t.cabinet.bulk.purge}
              </ConfirmButton>
            </>
          )}
        </div>
      </header>
      {warning && (order.transferred_to || there.length > 0) && (
        <div className="delete-warning" role="alert" data-testid="shop-order-delete-warning">
          {order.transferred_to && <p>{t.cabinet.bulk.transferred(d.number, order.transferred_to)}</p>}
          {there.length > 0 && <p data-testid="shop-order-delete-there-hint">{t.cabinet.bulk.deletesThere(there.join(", "))}</p>}
          <div className="form-actions">
            {there.length > 0 && (
              <button
                type="button"
                className="danger"
                data-testid="shop-order-delete-there"
                disabled={busy}
                onClick={() => remove.mutate({ removeLinks: false, atTargets: true })}
              >
                {t.cabinet.bulk.deleteThere(there.join(", "))}
              </button>
            )}
            <button
              type="button"
              className="danger"
              data-testid="shop-order-delete-anyway"
              disabled={busy}
              onClick={() => remove.mutate({ removeLinks: false, atTargets: false })}
            >
              {there.length > 0 ? t.cabinet.bulk.deleteHereOnly : t.cabinet.bulk.deleteAnyway}
            </button>
            <button
              type="button"
              className="danger"
              data-testid="shop-order-delete-unlink"
              disabled={busy}
              onClick={() => remove.mutate({ removeLinks: true, atTargets: false })}
            >
              {t.cabinet.bulk.deleteAndUnlink}
            </button>
            <button type="button" onClick={() => setWarning(false)}>
              {t.common.cancel}
            </button>
          </div>
        </div>
      )}

      <dl className="facts">
        <dt>{o.status}</dt>
        <dd>
          {deleted || !statuses ? (
            <span data-testid="shop-order-status-name">{status ? statusName(status, t) : t.cabinet.stats.none}</span>
          ) : (
            <select
              data-testid="shop-order-status"
              aria-label={o.status}
              value={order.status_id ?? ""}
              disabled={busy || status?.code === TRANSFERRED}
              onChange={(e) => {
                const s = choosable.find((x) => String(x.id) === e.target.value);
                if (s) setStatus.mutate(s);
              }}
            >
              {order.status_id == null && <option value="">{t.lineStatus.none}</option>}
              {/* Set only by a transfer: shown when it is the order's, never offered. */}
              {status?.code === TRANSFERRED && <option value={status.id}>{statusName(status, t)}</option>}
              <StatusOptions statuses={choosable} />
            </select>
          )}
        </dd>
        <dt>{o.created}</dt>
        <dd>{formatDateTime(order.created_at, locale)}</dd>
        <dt>{o.source}</dt>
        <dd>
          {source}
          {order.source_order_id != null && (
            <>
              {" · "}
              <button
                type="button"
                className="link"
                data-testid="shop-order-marketplace-link"
                onClick={() => onOpenMarketplaceOrder(order.source_order_id as number)}
              >
                {o.marketplaceOrder}
              </button>
            </>
          )}
        </dd>
        {order.transferred_to && (
          <>
            <dt>{o.transferredTo}</dt>
            <dd data-testid="shop-order-transferred">{order.transferred_to}</dd>
          </>
        )}
        <dt>{o.orderType}</dt>
        <dd data-testid="shop-order-type">{t.cabinet.orderTypes[d.order_type]}</dd>
      </dl>

      {Facts && <Facts order={order} />}

      <h3>{o.recipient}</h3>
      {r.name || r.phone || r.email || d.address.text ? (
        <dl className="facts" data-testid="shop-order-recipient">
          <dt>{t.cabinet.form.name}</dt>
          <dd>{r.name}</dd>
          <dt>{t.cabinet.form.phone}</dt>
          <dd>{r.phone}</dd>
          <dt>{t.cabinet.form.email}</dt>
          <dd>{r.email}</dd>
          <dt>{t.cabinet.form.address}</dt>
          <dd data-testid="shop-order-address">{d.address.text}</dd>
          {/* A line kept from before addresses had fields has its postal code beside it. */}
          {d.address.postal_code !== "" && !d.address.text.includes(d.address.postal_code) && (
            <>
              <dt>{t.cabinet.form.postalCode}</dt>
              <dd>{d.address.postal_code}</dd>
            </>
          )}
        </dl>
      ) : (
        <p className="hint">{o.noRecipient}</p>
      )}

      <h3>{o.items}</h3>
      <table className="grid" data-testid="shop-order-items">
        <thead>
          <tr>
            <th>{t.cabinet.item.article}</th>
            <th>{t.cabinet.item.brand}</th>
            <th>{t.cabinet.item.name}</th>
            <th className="num">{t.cabinet.item.quantity}</th>
            <th className="num">{t.cabinet.item.price}</th>
            <th className="num">{t.cabinet.item.weight}</th>
            <th className="num">{o.size}</th>
            <th className="num">{t.cabinet.item.sum}</th>
          </tr>
        </thead>
        <tbody>
          {d.items.map((item, i) => (
            <tr key={item.id ?? `new-${i}`} data-testid="shop-order-item">
              <td>{item.article}</td>
              <td>{item.brand}</td>
              <td className="wrap-anywhere">{item.name}</td>
              <td className="num">{item.quantity}</td>
              <td className="num">{money(item.price)}</td>
              <td className="num">{item.weight_g}</td>
              <td className="num">
                {item.length_cm}×{item.width_cm}×{item.height_cm}
              </td>
              <td className="num">{money(Number(item.price) * item.quantity)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <div className="shop-order-columns">
        <div>
          <h3>{o.payment}</h3>
          <dl className="facts">
            <dt>{t.cabinet.form.paymentMethod}</dt>
            <dd>{d.payment_method ? t.cabinet.payment[d.payment_method] : "—"}</dd>
            <dt>{o.paid}</dt>
            <dd>
              {d.paid ? t.common.yes : t.common.no}
              {awaitingPayment(d) && (
                <span className="badge badge-warning" data-testid="shop-order-awaiting-payment">
                  {t.cabinet.awaitingPayment}
                </span>
              )}
            </dd>
            <dt>{o.cod}</dt>
            <dd data-testid="shop-order-cod">{d.cod ? money(codAmount(d).toFixed(2)) : t.common.no}</dd>
            <dt>{o.declaredValue}</dt>
            <dd>{money(d.declared_value)}</dd>
          </dl>
        </div>
        <div>
          <h3>{o.delivery}</h3>
          <dl className="facts">
            <dt>{o.deliveryMethod}</dt>
            <dd data-testid="shop-order-delivery-method">{method || "—"}</dd>
            <dt>{o.deliveryCost}</dt>
            <dd data-testid="shop-order-delivery-cost">{money(d.delivery_cost)}</dd>
            <dt>{o.weight}</dt>
            <dd>{o.grams(d.weight_g)}</dd>
            <dt>{o.size}</dt>
            <dd>
              {d.length_cm}×{d.width_cm}×{d.height_cm}
            </dd>
          </dl>
        </div>
        <div>
          <h3>{o.total}</h3>
          <dl className="facts">
            <dt>{o.itemsTotal}</dt>
            <dd>{money(itemsTotal(d))}</dd>
            <dt>{o.deliveryCost}</dt>
            <dd>{money(d.delivery_cost)}</dd>
            <dt>{o.total}</dt>
            <dd data-testid="shop-order-total">{money(orderTotal(d))}</dd>
          </dl>
        </div>
      </div>

      <OrderTransfers orderId={order.id} transfers={order.transfers} />

      <h3>{o.timeline}</h3>
      {order.timeline.length === 0 && <p className="hint">{o.noEvents}</p>}
      <ol className="events timeline" data-testid="shop-order-timeline">
        {order.timeline.map((e) => (
          <li key={e.id} data-testid="timeline-event" data-kind={e.kind}>
            <time dateTime={e.at}>{formatDateTime(e.at, locale)}</time>{" "}
            <span className="muted">{o.actors[e.actor] ?? e.actor}</span> {eventText(e, t)}
          </li>
        ))}
      </ol>
    </>
  );
}
