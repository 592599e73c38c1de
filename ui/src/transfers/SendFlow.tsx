// Sending orders to a target, from anywhere (a row, the selection, an order): ask first when the
// engine holds orders back (shipped twice, not paid), then watch them go ("n of N sent") and end
// with a summary: how many went through, and each problematic order in the target's own words.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api } from "../api";
import type { OrderTransferView } from "../bindings/OrderTransferView";
import type { TransferTargetView } from "../bindings/TransferTargetView";
import type { TransferWarning } from "../bindings/TransferWarning";
import { useNotices } from "../components/Notices";
import { useI18n } from "../i18n";
import { keys } from "../queries";
import { sendingFinished, useSendingProgress } from "./queries";
import { concernText, transferErrorText } from "./words";

type Step =
  | { step: "idle" }
  | { step: "confirm"; target: TransferTargetView; ids: number[]; concerns: TransferWarning[] }
  | { step: "watch"; target: TransferTargetView; ids: number[] };

export type SendFlow = {
  step: Step;
  /** Asks the engine to send; orders it holds back come back to confirm, and nothing goes yet. */
  send: (target: TransferTargetView, ids: readonly number[]) => void;
  /** The manager looked at the held-back orders and sends them all anyway. */
  confirm: () => void;
  close: () => void;
  busy: boolean;
};

export function useSendFlow(): SendFlow {
  const { t } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const [step, setStep] = useState<Step>({ step: "idle" });
  const request = useMutation({
    mutationFn: ({ target, ids, confirmed }: { target: TransferTargetView; ids: number[]; confirmed: boolean }) =>
      api.sendToTarget(target.account_id, ids, confirmed),
    onSuccess: (report, { target, ids }) => {
      if (report.to_confirm.length > 0) {
        setStep({ step: "confirm", target, ids, concerns: report.to_confirm });
        return;
      }
      if (report.queued.length === 0) {
        setStep({ step: "idle" });
        return;
      }
      notices.info(t.cabinet.transfers.queued(report.queued.length, target.name));
      setStep({ step: "watch", target, ids: report.queued });
    },
    onError: (e) => notices.error(e.message),
    // Queued orders show "Sending" in their rows and blocks at once.
    onSettled: () => qc.invalidateQueries({ queryKey: keys.cabinetAll }),
  });
  return {
    step,
    send: (target, ids) => {
      if (ids.length > 0) request.mutate({ target, ids: [...ids], confirmed: false });
    },
    confirm: () => {
      if (step.step === "confirm") request.mutate({ target: step.target, ids: step.ids, confirmed: true });
    },
    close: () => setStep({ step: "idle" }),
    busy: request.isPending,
  };
}

/** The confirmation, or the progress and summary, of the flow's current sending. */
export function SendFlowPanel({ flow }: { flow: SendFlow }) {
  const { step } = flow;
  if (step.step === "confirm") return <ConfirmSending flow={flow} target={step.target} concerns={step.concerns} />;
  if (step.step === "watch") return <SendingProgress key={`${step.target.account_id}:${step.ids.join(",")}`} flow={flow} target={step.target} ids={step.ids} />;
  return null;
}

function ConfirmSending({ flow, target, concerns }: { flow: SendFlow; target: TransferTargetView; concerns: readonly TransferWarning[] }) {
  const { t } = useI18n();
  const w = t.cabinet.transfers;
  return (
    <div className="modal-backdrop">
      <div
        className="modal send-confirm"
        role="dialog"
        aria-modal="true"
        aria-labelledby="send-confirm-title"
        data-testid="send-confirm"
        onKeyDown={(e) => {
          // Escape here is the dialog's, not the cabinet's (which would clear the selection).
          e.stopPropagation();
          if (e.key === "Escape") flow.close();
        }}
      >
        <h2 id="send-confirm-title">{w.confirmTitle(target.name)}</h2>
        <p>{w.confirmIntro}</p>
        <ul data-testid="send-confirm-list">
          {concerns.map((c) => (
            <li key={`${c.order_id}:${c.reason.type}`}>{concernText(c, t)}</li>
          ))}
        </ul>
        <div className="form-actions">
          <button type="button" className="primary" data-testid="send-confirm-yes" disabled={flow.busy} onClick={flow.confirm}>
            {w.sendAnyway}
          </button>
          {/* The safe choice has the focus: Enter right away sends nothing twice. */}
          <button type="button" data-testid="send-confirm-cancel" autoFocus onClick={flow.close}>
            {t.common.cancel}
          </button>
        </div>
      </div>
    </div>
  );
}

function SendingProgress({ flow, target, ids }: { flow: SendFlow; target: TransferTargetView; ids: readonly number[] }) {
  const { t } = useI18n();
  const w = t.cabinet.transfers;
  const progress = useSendingProgress(ids, target.account_id);
  const transfers = progress.data ?? [];
  const done = transfers.filter((x) => x.transfer.state !== "pending").length;
  const finished = sendingFinished(ids, progress.data);
  return (
    <section className="send-progress" aria-labelledby="send-progress-title" data-testid="send-progress">
      <h3 id="send-progress-title">{w.summaryTitle(target.name)}</h3>
      {progress.isError && <p className="form-problem">{progress.error.message}</p>}
      {finished ? (
        <SendingSummary flow={flow} target={target} transfers={transfers} />
      ) : (
        <div className="import-progress" role="status" data-testid="send-progress-bar">
          <progress value={done} max={ids.length} aria-label={w.progress(done, ids.length)} />
          <span>{w.progress(done, ids.length)}</span>
        </div>
      )}
      <div className="form-actions">
        <button type="button" data-testid="send-progress-close" onClick={flow.close}>
          {t.common.close}
        </button>
      </div>
    </section>
  );
}

function SendingSummary({ flow, target, transfers }: { flow: SendFlow; target: TransferTargetView; transfers: readonly OrderTransferView[] }) {
  const { t, lang } = useI18n();
  const w = t.cabinet.transfers;
  const transferred = transfers.filter((x) => x.transfer.state === "transferred").length;
  const problematic = transfers.filter((x) => x.transfer.state === "problematic");
  const box = useRef<HTMLDivElement>(null);
  // Focus follows the outcome, so that a keyboard user lands on "Send again" (or Close).
  useEffect(() => {
    const panel = box.current?.closest(".send-progress");
    panel?.querySelector<HTMLElement>("[data-testid=send-again-failed], [data-testid=send-progress-close]")?.focus();
  }, []);
  return (
    <div role="status" data-testid="send-summary" ref={box}>
      <p data-testid="send-summary-transferred">{w.transferred(transferred)}</p>
      {problematic.length > 0 && (
        <>
          <p className="error-text">{w.problematic(problematic.length)}</p>
          <ul data-testid="send-summary-problematic">
            {problematic.map((x) => (
              <li key={x.order_id}>{w.orderSaid(x.number, transferErrorText(x.transfer, lang))}</li>
            ))}
          </ul>
          <button
            type="button"
            data-testid="send-again-failed"
            disabled={flow.busy}
            onClick={() => flow.send(target, problematic.map((x) => x.order_id))}
          >
            {w.sendAgain}
          </button>
        </>
      )}
    </div>
  );
}
