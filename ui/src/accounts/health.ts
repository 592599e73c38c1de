import type { AccountKind } from "../bindings/AccountKind";
import type { AccountView } from "../bindings/AccountView";
import type { Messages } from "../i18n/en";
import { integration } from "../integrations";

/** The marketplace sends its orders to the shop's intake (core's `receives_pushes`): nothing to poll. */
export const receivesPushes = (kind: AccountKind): boolean => integration(kind).receivesPushes;

export type HealthStatus = "ok" | "error" | "never" | "disabled";

export function healthStatus(view: AccountView): HealthStatus {
  if (!view.account.active) return "disabled";
  if (!view.credentials_ok) return "error";
  if (view.health.last_outcome === "error") return "error";
  // A transfer target is never polled: not having synced is its normal state, not a warning.
  if (integration(view.account.kind).transferTarget) return "ok";
  if (!view.health.last_poll_at) return "never";
  return "ok";
}

/** The status in words; an account whose orders are pushed to us has not "synced" but received. */
export function healthText(view: AccountView, status: HealthStatus, t: Messages): string {
  if (status === "never" && receivesPushes(view.account.kind)) return t.accounts.noOrdersYet;
  return t.accounts.status[status];
}
