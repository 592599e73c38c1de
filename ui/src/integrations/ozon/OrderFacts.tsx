import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api";
import type { ShopOrderFull } from "../../bindings/ShopOrderFull";
import { refreshAfterOrderChange } from "../../cabinet/queries";
import { useNotices } from "../../components/Notices";
import { useI18n } from "../../i18n";

/** A barcode block's values as text: Ozon sends `{upper_barcode, lower_barcode}`; anything else
 * that is not a plain value is left out. */
function barcodeValues(v: unknown): string[] {
  if (typeof v === "string" || typeof v === "number") return [String(v)];
  if (Array.isArray(v)) return v.flatMap(barcodeValues);
  if (v && typeof v === "object") return Object.values(v).flatMap(barcodeValues);
  return [];
}

/** What Ozon says about the posting (source label, barcodes, cargo places, who delivers) and,
 * for a posting the seller delivers, its tracking number sent to Ozon. All marketplace text is
 * rendered as text. */
export function OzonOrderFacts({ order }: { order: ShopOrderFull }) {
  const { t } = useI18n();
  const o = t.cabinet.order;
  const qc = useQueryClient();
  const notices = useNotices();
  const extra = order.extra ?? {};
  const barcodes = barcodeValues(extra.barcodes).filter((b) => b.trim() !== "");
  const places = typeof extra.cargo_places === "number" ? extra.cargo_places : null;
  const delivery = typeof extra.tpl_integration_type === "string" ? extra.tpl_integration_type : null;
  const [tracking, setTracking] = useState(order.draft.tracking_number);
  const [problem, setProblem] = useState<string | null>(null);
  const send = useMutation({
    mutationFn: () => api.sendTrackingNumber(order.id, tracking),
    onSuccess: (saved) => {
      setProblem(null);
      notices.info(o.trackingSent(saved.draft.tracking_number));
    },
    onError: (e) => setProblem(e.message),
    onSettled: () => refreshAfterOrderChange(qc),
  });
  return (
    <section data-testid="shop-order-ozon">
      <h3>{o.ozon}</h3>
      {order.read_only && (
        <p className="hint" role="note" data-testid="shop-order-fbo">
          {o.fbo}
        </p>
      )}
      <dl className="facts" data-testid="shop-order-extra">
        {order.source && (
          <>
            <dt>{o.sourceLabel}</dt>
            <dd data-testid="shop-order-source-label">{order.source}</dd>
          </>
        )}
        {barcodes.length > 0 && (
          <>
            <dt>{o.barcodes}</dt>
            <dd data-testid="shop-order-barcodes">{barcodes.join(", ")}</dd>
          </>
        )}
        {places != null && (
          <>
            <dt>{o.cargoPlaces}</dt>
            <dd data-testid="shop-order-cargo-places">{places}</dd>
          </>
        )}
        {delivery && (
          <>
            <dt>{o.deliveredBy}</dt>
            <dd>{delivery === "non_integrated" ? o.sellerDelivers : o.ozonDelivers}</dd>
          </>
        )}
      </dl>
      {!order.read_only && (
        <form
          className="row-actions"
          data-testid="shop-order-tracking"
          onSubmit={(e) => {
            e.preventDefault();
            send.mutate();
          }}
        >
          <label className="inline">
            {o.tracking}
            <input
              data-testid="shop-order-tracking-input"
              value={tracking}
              maxLength={64}
              onChange={(e) => setTracking(e.target.value)}
            />
          </label>
          <button type="submit" data-testid="shop-order-tracking-send" disabled={send.isPending}>
            {o.trackingSend}
          </button>
          {problem ? (
            <p className="form-problem" role="alert" data-testid="shop-order-tracking-problem">
              {problem}
            </p>
          ) : (
            delivery !== "non_integrated" && <p className="hint">{o.trackingHint}</p>
          )}
        </form>
      )}
    </section>
  );
}
