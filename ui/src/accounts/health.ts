import type { AccountView } from "../bindings/AccountView";

export type HealthStatus = "ok" | "error" | "never" | "disabled";

export function healthStatus(view: AccountView): HealthStatus {
  if (!view.account.active) return "disabled";
  if (!view.credentials_ok) return "error";
  if (view.health.last_outcome === "error") return "error";
  if (!view.health.last_poll_at) return "never";
  return "ok";
}
