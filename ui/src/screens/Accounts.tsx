import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { healthStatus, healthText, receivesPushes } from "../accounts/health";
import { SyncLog, syncLogId } from "../accounts/SyncLog";
import { SyncProgressBar } from "../accounts/SyncProgressBar";
import { integration } from "../integrations";
import type { AccountView } from "../bindings/AccountView";
import { useState } from "react";
import { ConfirmButton } from "../components/ConfirmButton";
import { useNotices } from "../components/Notices";
import { OutboxRow } from "../components/OutboxRow";
import { formatDateTime, formatTime } from "../format";
import { useI18n } from "../i18n";
import { errorText, wordsText } from "../i18n/errors";
import { keys, useAccountOutbox, useAccounts } from "../queries";
import { useScreenReady } from "../perf";

export function Accounts({
  onAdd,
  onEdit,
  onRules,
  onPushes,
}: {
  onAdd: () => void;
  onEdit: (id: number) => void;
  onRules: (id: number) => void;
  onPushes: (id: number) => void;
}) {
  const { t } = useI18n();
  const accounts = useAccounts();
  useScreenReady("accounts", accounts.isSuccess);
  return (

    <section className="accounts">
      <header className="screen-header">
        <h1>{t.accounts.title}</h1>
        <button type="button" className="primary" data-testid="add-account" onClick={onAdd}>
          {t.accounts.add}
        </button>
      </header>
      {accounts.isError && <p className="form-problem">{accounts.error.message}</p>}
      {accounts.data?.length === 0 && <p className="hint">{t.accounts.empty}</p>}
      <ul className="account-list">
        {accounts.data?.map((view) => (
          <AccountRow
            key={view.account.id}
            view={view}
            onEdit={() => onEdit(view.account.id)}
            onRules={() => onRules(view.account.id)}
            onPushes={() => onPushes(view.account.id)}
          />
        ))}
      </ul>
    </section>
  );
}

function AccountRow({
  view,
  onEdit,
  onRules,
  onPushes,
}: {
  view: AccountView;
  onEdit: () => void;
  onRules: () => void;
  onPushes: () => void;
}) {
  const { t, lang, locale } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const { account, health } = view;
  const status = healthStatus(view);
  const pushed = receivesPushes(view.account.kind);
  // Takes orders sent from here: nothing is polled, logged as a sync, ruled on or pushed to it.
  const target = integration(view.account.kind).transferTarget;
  const [showOutbox, setShowOutbox] = useState(false);
  const [showLog, setShowLog] = useState(false);
  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: keys.accounts }),
      qc.invalidateQueries({ queryKey: keys.inboxAll }),
      qc.invalidateQueries({ queryKey: keys.appInfo }),
    ]);
  const onError = (e: Error) => notices.error(`${account.name}: ${e.message}`);
  const sync = useMutation({
    mutationFn: () => api.syncNow(account.id),
    onSuccess: async (r) => {
      const skipped = r.skipped > 0 ? ` · ${t.accounts.notImported(r.skipped)}` : "";
      notices.info(`${account.name}: ${t.accounts.synced(r.orders_new, r.lines_new)}${skipped}`);
      await refresh();
    },
    onError: async (e) => {
      onError(e);
      await refresh();
    },
  });
  const toggle = useMutation({
    mutationFn: () => api.setAccountActive(account.id, !account.active),
    onSuccess: refresh,
    onError,
  });
  const remove = useMutation({ mutationFn: () => api.deleteAccount(account.id), onSuccess: refresh, onError });

  return (
    <li className="account-row" data-testid="account-row" data-account-id={account.id}>
      <div className="account-main">
        <span className={`dot dot-${status}`} aria-hidden />
        <strong>{account.name}</strong>
        <span className="muted">
          {`${integration(account.kind).name} · ${integration(account.kind).identity(account.settings)}`}
          {target ? "" : pushed ? ` · ${t.accounts.pushesOrders}` : ` · ${t.accounts.every(account.interval_secs)}`}
        </span>
        {target && (
          <span className="badge" title={t.accounts.transferTargetHint} data-testid="account-transfer-target">
            {t.accounts.transferTarget}
          </span>
        )}
        {account.demo && <span className="badge">{t.demo.badge}</span>}
      </div>
      <div className="account-health" data-testid="account-health" data-status={status}>
        <span className={`status status-${status}`}>{healthText(view, status, t)}</span>
        {!target && (
          <span>
            {pushed ? t.accounts.lastPush : t.accounts.lastPoll}:{" "}
            {health.last_poll_at ? formatDateTime(health.last_poll_at, locale) : t.common.never}
          </span>
        )}
        {account.active && !pushed && !target && health.next_poll_at && (
          <span>
            {t.accounts.nextPoll}: {formatDateTime(health.next_poll_at, locale)}
          </span>
        )}
        {health.server_wait_until && Date.parse(health.server_wait_until) > Date.now() && (
          <span data-testid="server-wait">{t.accounts.serverWait(formatTime(health.server_wait_until, locale))}</span>
        )}
        {health.failing_since && (
          <span>
            {t.accounts.failingSince}: {formatDateTime(health.failing_since, locale)}
          </span>
        )}
        {health.outbox_pending > 0 && <span>{t.accounts.outboxPending(health.outbox_pending)}</span>}
        {health.outbox_failed > 0 && <span className="error-text">{t.accounts.outboxFailed(health.outbox_failed)}</span>}
        {health.outbox_pending + health.outbox_failed > 0 && (
          <button
            type="button"
            className="link"
            data-testid="account-outbox-toggle"
            aria-expanded={showOutbox}
            onClick={() => setShowOutbox((v) => !v)}
          >
            {showOutbox ? t.accounts.hideUpdates : t.accounts.showUpdates}
          </button>
        )}
      </div>
      <SyncProgressBar accountId={account.id} />
      {showOutbox && <AccountOutbox id={account.id} />}
      {!view.credentials_ok && <p className="error-text">{t.accounts.credentialsMissing}</p>}
      {health.last_outcome === "error" && health.last_error && (
        <p className="error-text" data-testid="account-last-error">
          {errorText(health.last_error_words, health.last_error, lang)}
        </p>
      )}
      {/* Beside the health, not part of it: an account can be OK and still have something to see to. */}
      {health.notice != null && (
        <p className="warning account-notice" role="note" data-testid="account-notice">
          {wordsText(health.notice, lang)}
        </p>
      )}
      <div className="row-actions">
        {!pushed && !target && (
          <button
            type="button"
            data-testid="account-sync-now"
            disabled={sync.isPending || !account.active}
            onClick={() => sync.mutate()}
          >
            {sync.isPending ? t.accounts.syncing : t.accounts.syncNow}
          </button>
        )}
        {!target && (
          <button
            type="button"
            data-testid="account-log-button"
            data-account-id={account.id}
            aria-expanded={showLog}
            aria-controls={showLog ? syncLogId(account.id) : undefined}
            onClick={() => setShowLog((v) => !v)}
          >
            {showLog ? t.accounts.hideLog : t.accounts.showLog}
          </button>
        )}
        <button type="button" data-testid="account-edit" onClick={onEdit}>
          {t.accounts.edit}
        </button>
        {!target && (
          <>
            <button type="button" data-testid={`rules-${account.id}`} onClick={onRules}>
              {t.accounts.rules}
            </button>
            <button type="button" data-testid={`pushes-${account.id}`} onClick={onPushes}>
              {t.accounts.pushes}
            </button>
          </>
        )}
        <button type="button" data-testid="account-toggle" disabled={toggle.isPending} onClick={() => toggle.mutate()}>
          {account.active ? t.accounts.disable : t.accounts.enable}
        </button>
        <ConfirmButton
          testId="account-delete"
          question={t.accounts.confirmDelete(account.name)}
          disabled={remove.isPending}
          onConfirm={() => remove.mutate()}
        >
          {t.accounts.delete}
        </ConfirmButton>
      </div>
      {showLog && <SyncLog accountId={account.id} accountName={account.name} />}
    </li>
  );
}

function AccountOutbox({ id }: { id: number }) {
  const outbox = useAccountOutbox(id, true);
  if (outbox.isError) return <p className="form-problem">{outbox.error.message}</p>;
  return (
    <ul className="outbox">
      {outbox.data?.map((row) => (
        <OutboxRow key={row.id} row={row} />
      ))}
    </ul>
  );
}
