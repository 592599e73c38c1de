// An order's "In other systems" block (the order screen and its edit form): where the order was
// sent, how it went, and per target Send again / Get / Unlink; above it, a "Send to …" button per
// connected target. Everything a target sent back is shown as text: React escapes it, and only
// http(s) links open.
import { useRef, useState } from "react";
import type { RemoteHistoryEntry } from "../bindings/RemoteHistoryEntry";
import type { TransferTargetView } from "../bindings/TransferTargetView";
import type { TransferView } from "../bindings/TransferView";
import { ConfirmButton } from "../components/ConfirmButton";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { activeTargets, useTransferTargets } from "../transfers/queries";
import { SendFlowPanel, useSendFlow } from "../transfers/SendFlow";
import { useGetTransfers, useUnlinkTransfer } from "../transfers/useTransferActions";
import { transferErrorText } from "../transfers/words";

/** Only web addresses open from an order: a stored `javascript:` or `file:` link is shown as text. */
export const webLink = (link: string | null) => (link != null && /^https?:\/\//i.test(link) ? link : null);

/** One order's transfers with its "Send to …" buttons: the order screen's and the edit form's. */
export function OrderTransfers({ orderId, transfers }: { orderId: number; transfers: readonly TransferView[] }) {
  const targets = activeTargets(useTransferTargets().data);
  const flow = useSendFlow();
  const send = (target: TransferTargetView) => flow.send(target, [orderId]);
  return (
    <>
      <SendToTargets targets={targets} onSend={send} disabled={flow.busy} />
      <SendFlowPanel flow={flow} />
      <OtherSystems orderId={orderId} transfers={transfers} targets={targets} onSend={send} sending={flow.busy} />
    </>
  );
}

const STATE_CLASS: Record<TransferView["state"], string> = {
  pending: "muted",
  transferred: "status-ok",
  problematic: "status-error",
};

export function OtherSystems({
  orderId,
  transfers,
  targets,
  onSend,
  sending = false,
}: {
  orderId: number;
  transfers: readonly TransferView[];
  /** The connected targets: "Send again" is offered where the target can still take orders. */
  targets: readonly TransferTargetView[];
  onSend: (target: TransferTargetView) => void;
  sending?: boolean;
}) {
  const { t } = useI18n();
  const w = t.cabinet.transfers;
  return (
    <section className="order-transfers" data-testid="order-transfers">
      <h3>{w.title}</h3>
      {transfers.length === 0 ? (
        <p className="hint" data-testid="order-transfers-none">
          {w.none}
        </p>
      ) : (
        <div className="table-scroll">
          <table className="grid">
            <thead>
              <tr>
                <th>{w.target}</th>
                <th>{w.state}</th>
                <th>{w.remoteId}</th>
                <th>{w.link}</th>
                <th>{w.remoteStatus}</th>
                <th>{w.tracking}</th>
                <th>{w.lastError}</th>
                <th>{w.actions}</th>
              </tr>
            </thead>
            <tbody>
              {transfers.map((x) => (
                <TransferRow
                  key={x.account_id}
                  orderId={orderId}
                  transfer={x}
                  target={targets.find((tg) => tg.account_id === x.account_id && tg.active)}
                  onSend={onSend}
                  sending={sending}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function TransferRow({
  orderId,
  transfer: x,
  target,
  onSend,
  sending,
}: {
  orderId: number;
  transfer: TransferView;
  /** The target while it can take orders; none for a disabled or removed account. */
  target: TransferTargetView | undefined;
  onSend: (target: TransferTargetView) => void;
  sending: boolean;
}) {
  const { t, lang, locale } = useI18n();
  const w = t.cabinet.transfers;
  const get = useGetTransfers();
  const unlink = useUnlinkTransfer();
  const href = webLink(x.link);
  return (
    <tr data-testid="order-transfer" data-account-id={x.account_id}>
      <td>{x.target}</td>
      <td className={STATE_CLASS[x.state]} title={formatDateTime(x.updated_at, locale)} data-testid="order-transfer-state">
        {w.states[x.state]}
      </td>
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
      <td>
        <RemoteStatus target={x.target} status={x.remote_status} history={x.history} />
      </td>
      <td data-testid="order-transfer-tracking">{x.tracking_number ?? ""}</td>
      <td className="wrap-anywhere error-text" data-testid="order-transfer-error">
        {transferErrorText(x, lang)}
      </td>
      <td className="row-actions">
        {target && (
          <button type="button" data-testid="order-transfer-send-again" aria-label={w.sendAgainTo(x.target)} disabled={sending} onClick={() => onSend(target)}>
            {w.sendAgain}
          </button>
        )}
        {x.remote_id != null && (
          <button
            type="button"
            data-testid="order-transfer-get"
            aria-label={w.getFrom(x.target)}
            disabled={get.isPending}
            onClick={() => get.mutate({ ids: [orderId], accountId: x.account_id })}
          >
            {w.get}
          </button>
        )}
        <ConfirmButton
          testId="order-transfer-unlink"
          question={w.unlinkQuestion(x.target)}
          disabled={unlink.isPending}
          onConfirm={() => unlink.mutate({ orderId, accountId: x.account_id, target: x.target })}
        >
          {w.unlink}
        </ConfirmButton>
      </td>
    </tr>
  );
}

/** The status the target last reported; with a history of operations it is a button that shows it. */
function RemoteStatus({ target, status, history }: { target: string; status: string | null; history: readonly RemoteHistoryEntry[] }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const text = status ?? "—";
  if (history.length === 0) return <span data-testid="order-transfer-remote-status">{status ?? ""}</span>;
  return (
    <>
      <button
        ref={opener}
        type="button"
        className="link"
        data-testid="order-transfer-remote-status"
        aria-haspopup="dialog"
        aria-label={t.cabinet.transfers.historyOf(text)}
        onClick={() => setOpen(true)}
      >
        {text}
      </button>
      {open && (
        <RemoteHistory
          target={target}
          history={history}
          onClose={() => {
            setOpen(false);
            opener.current?.focus();
          }}
        />
      )}
    </>
  );
}

function RemoteHistory({ target, history, onClose }: { target: string; history: readonly RemoteHistoryEntry[]; onClose: () => void }) {
  const { t, locale } = useI18n();
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div
        className="modal remote-history"
        role="dialog"
        aria-modal="true"
        aria-labelledby="remote-history-title"
        data-testid="remote-history"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === "Escape") onClose();
        }}
      >
        <h2 id="remote-history-title">{t.cabinet.transfers.history(target)}</h2>
        <ol className="events">
          {history.map((h, i) => (
            <li key={i} data-testid="remote-history-entry">
              {h.at && <time dateTime={h.at}>{formatDateTime(h.at, locale)}</time>} {h.text}
            </li>
          ))}
        </ol>
        <button type="button" autoFocus onClick={onClose}>
          {t.common.close}
        </button>
      </div>
    </div>
  );
}

/** One "Send to {target}" button per target that takes orders now. */
export function SendToTargets({
  targets,
  onSend,
  disabled,
}: {
  targets: readonly TransferTargetView[];
  onSend: (target: TransferTargetView) => void;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const w = t.cabinet.transfers;
  return (
    <div className="row-actions" data-testid="order-send-to">
      {targets.length === 0 ? (
        <p className="hint">{w.noTargets}</p>
      ) : (
        targets.map((target) => (
          <button
            key={target.account_id}
            type="button"
            data-testid={`order-send-to-${target.account_id}`}
            disabled={disabled}
            onClick={() => onSend(target)}
          >
            {w.sendToTarget(target.name)}
          </button>
        ))
      )}
    </div>
  );
}
