// Editing an account's rules before saving them. Pure, so ordering and checking are tested without a DOM.
import type { Condition } from "../bindings/Condition";
import type { Rule } from "../bindings/Rule";
import type { RuleAction } from "../bindings/RuleAction";

export type ConditionType = Condition["type"];
export const CONDITION_TYPES: readonly ConditionType[] = [
  "offer_in_lists",
  "stock_covers_quantity",
  "min_margin",
  "max_delivery_days",
  "brand_in",
  "brand_not_in",
  "region_in",
];

/** A condition with parameters a manager would start from. */
export function newCondition(type: ConditionType): Condition {
  switch (type) {
    case "offer_in_lists":
      return { type, list_ids: [] };
    case "stock_covers_quantity":
      return { type };
    case "min_margin":
      return { type, percent: "10" };
    case "max_delivery_days":
      return { type, days: 3 };
    case "brand_in":
    case "brand_not_in":
      return { type, brands: [] };
    case "region_in":
      return { type, regions: [] };
  }
}

/** New rules have id 0: the engine gives them one on save. */
export function newRule(name: string): Rule {
  return { id: 0, name, enabled: true, conditions: [], action: { type: "accept", by: "price" } };
}

/** Rules run top to bottom, so moving one changes what decides first. */
export function move<T>(items: readonly T[], index: number, delta: number): T[] {
  const to = index + delta;
  if (index < 0 || index >= items.length || to < 0 || to >= items.length) return [...items];
  const next = [...items];
  const [item] = next.splice(index, 1);
  if (item !== undefined) next.splice(to, 0, item);
  return next;
}

/** "Bosch, Mann ,, " → ["Bosch", "Mann"]. */
export function parseList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

export type ActionChoice = "accept_price" | "accept_delivery" | "reject" | "leave";

export function actionChoice(action: RuleAction): ActionChoice {
  if (action.type === "accept") return action.by === "price" ? "accept_price" : "accept_delivery";
  return action.type;
}

/** Switching the action keeps a reject's reason when it stays a reject. */
export function actionOf(choice: ActionChoice, previous: RuleAction): RuleAction {
  switch (choice) {
    case "accept_price":
      return { type: "accept", by: "price" };
    case "accept_delivery":
      return { type: "accept", by: "delivery" };
    case "reject":
      return previous.type === "reject" ? previous : { type: "reject", reason_id: null, message: null };
    case "leave":
      return { type: "leave" };
  }
}

export type RuleProblem = "name" | "margin" | "days";

/** What would make the engine refuse the rule, or make it mean something else than it says. */
export function ruleProblem(rule: Rule): RuleProblem | null {
  if (rule.name.trim() === "") return "name";
  for (const c of rule.conditions) {
    if (c.type === "min_margin" && !/^-?\d+([.,]\d+)?$/.test(c.percent.trim())) return "margin";
    if (c.type === "max_delivery_days" && !(Number.isInteger(c.days) && c.days >= 0)) return "days";
  }
  return null;
}

/** What is sent: percentages with a decimal point, names and list items trimmed. */
export function normalised(rule: Rule): Rule {
  return {
    ...rule,
    name: rule.name.trim(),
    conditions: rule.conditions.map((c) => (c.type === "min_margin" ? { ...c, percent: c.percent.trim().replace(",", ".") } : c)),
  };
}
