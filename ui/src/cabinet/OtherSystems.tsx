import type { TransferView } from "../bindings/TransferView";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { TRANSFER_TARGETS } from "../screens/DeliverySettings";

const targetName = (id: string) => TRANSFER_TARGETS.find(([t]) => t === id)?.[1] ?? id;

/** Only web addresses open from an order: a stored `javascript:` or `file:` link is shown as text. */
const webLink = (link: string | null) => (link != null && /^https?:\/\//i.test(link) ? link : null);

/** The order's "In other systems" block: each target it was sent to, with the outcome. */
export function OtherSystems({ transfers }: { transfers: readonly TransferView[] }) {
  const { t, locale } = useI18n();
  const w = t.cabinet.transfers;
  return (
    <section data-testid="order-transfers">
      <h3>{w.title}</h3>
      {transfers.length === 0 ? (
        <p className="hint" data-testid="order-transfers-none">
          {w.none}
        </p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>{w.target}</th>
              <th>{w.remoteId}</th>
              <th>{w.link}</th>
              <th>{w.state}</th>
              <th>{w.lastError}</th>
            </tr>
          </thead>
          <tbody>
            {transfers.map((x) => {
              const href = webLink(x.link);
              return (
                <tr key={x.target} data-testid="order-transfer">
                  <td>{targetName(x.target)}</td>
                  <td>{x.remote_id ?? "—"}</td>
                  <td className="wrap-anywhere">
                    {href ? (
                      <a href={href} target="_blank" rel="noreferrer noopener">
                        {href}
                      </a>
                    ) : (
                      (x.link ?? "—")
                    )}
                  </td>
                  <td title={formatDateTime(x.updated_at, locale)}>{w.states[x.state]}</td>
                  <td className="wrap-anywhere">{x.last_error ?? ""}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** "Send to": the connected CRMs and delivery services; none can be connected yet (the transfer issue). */
export function SendTo() {
  const { t } = useI18n();
  const w = t.cabinet.transfers;
  return (
    <div className="field-row" data-testid="order-send-to">
      <label>
        <span>{w.sendTo}</span>
        <select disabled value="">
          <option value="">—</option>
        </select>
      </label>
      <p className="hint">{w.sendToNone}</p>
    </div>
  );
}
