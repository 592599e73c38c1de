import type { AccountView } from "../bindings/AccountView";
import type { EngineEvent } from "../bindings/EngineEvent";
import { useI18n } from "../i18n";
import type { Messages } from "../i18n/en";

/** A background task (an account's poller, the outbox, alerts, retention) failed and the engine restarted it. */
export type TaskRestart = Extract<EngineEvent, { type: "task_restarted" }>;

/** One banner per task: a task that fails again replaces its banner with the newer error. */
export const taskKey = (r: TaskRestart) => `${r.task}:${r.account_id ?? ""}`;

/** The task in the manager's words; a task this UI does not know yet keeps the engine's name. */
export function taskLabel(r: TaskRestart, t: Messages, accounts: AccountView[] | undefined): string {
  if (r.task === "poller" && r.account_id != null) {
    const name = accounts?.find((a) => a.account.id === r.account_id)?.account.name ?? `#${r.account_id}`;
    return t.taskRestarted.poller(name);
  }
  const tasks: Record<string, string> = t.taskRestarted.tasks;
  return Object.hasOwn(tasks, r.task) ? (tasks[r.task] ?? r.task) : r.task;
}

/** Stays until dismissed: the manager must learn that something broke, even though it runs again. */
export function TaskRestartedBanner({
  restart,
  accounts,
  onDismiss,
}: {
  restart: TaskRestart;
  accounts: AccountView[] | undefined;
  onDismiss: () => void;
}) {
  const { t } = useI18n();
  return (
    <div className="banner banner-error task-restarted" data-testid="task-restarted" data-task={restart.task} role="alert">
      <span>
        {t.taskRestarted.text(taskLabel(restart, t, accounts))}
        {restart.restarts > 1 && ` ${t.taskRestarted.again(restart.restarts)}`}{" "}
        {t.taskRestarted.error} <span data-testid="task-restarted-error">{restart.error}</span>
      </span>
      <button type="button" className="link" data-testid="task-restarted-dismiss" aria-label={t.common.dismiss} onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}
