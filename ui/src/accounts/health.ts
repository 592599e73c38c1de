import type { AccountKind } from "../bindings/AccountKind";
import type { AccountView } from "../bindings/AccountView";

/** The marketplace sends its orders to the shop's intake (core's `receives_pushes`): nothing to poll. */
export const receivesPushes = (kind: AccountKind): boolean => kind === "gettzap";

export type HealthStatus = "ok" | "error" | "never" | "disabled";

export function healthStatus(view: AccountView): HealthStatus {
  if (!view.account.active) return "disabled";
  if (!view.credentials_ok) return "error";
  if (view.health.last_outcome === "error") return "error";
  if (!view.health.last_poll_at) return "never";
  return "ok";
}
