// The shop's statuses as the UI shows and edits them. Pure, so naming and ordering are tested without a DOM.
import type { ShopStatus } from "../bindings/ShopStatus";
import type { StatusGroup } from "../bindings/StatusGroup";
import type { Messages } from "../i18n/en";

/** The groups in workflow order, as the group select lists them. */
export const GROUPS: readonly StatusGroup[] = ["new", "in_work", "done", "refused", "removed"];

/** A built-in status's name in the manager's language; "" for the shop's own. */
export function builtInName(code: string | null, t: Messages): string {
  if (code == null) return "";
  return t.statuses.builtIn[code] ?? code;
}

/** What the shop typed, else the built-in name: a renamed built-in keeps the shop's word. */
export function statusName(status: Pick<ShopStatus, "code" | "name">, t: Messages): string {
  return status.name.trim() !== "" ? status.name : builtInName(status.code, t);
}

/** Whether a status of the group writes the order's items off unless the shop says otherwise. */
const writesOffByDefault = (group: StatusGroup): boolean => group === "done";

/**
 * New statuses have id 0 (the engine gives them one on save) and start as work in progress,
 * writing off as their group does by default (changing the group later keeps what the box says).
 */
export function newStatus(): ShopStatus {
  const group: StatusGroup = "in_work";
  return { id: 0, code: null, name: "", group, position: 0, writes_off: writesOffByDefault(group) };
}

/** What is saved: the array's order is the workflow's, names trimmed. */
export function forSaving(statuses: readonly ShopStatus[]): ShopStatus[] {
  return statuses.map((s, position) => ({ ...s, name: s.name.trim(), position }));
}

/**
 * The first status of a group in workflow order: accepted lines start in the first "new" one
 * ("Pre-order" holds pre-orders only: core `status_on_accept`).
 */
export function firstInGroup(statuses: readonly ShopStatus[], group: StatusGroup): ShopStatus | undefined {
  return statuses.find((s) => s.group === group && s.code !== "preorder");
}
