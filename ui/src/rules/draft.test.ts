import { describe, expect, it } from "vitest";
import { CONDITION_TYPES, actionChoice, actionOf, move, newCondition, newRule, normalised, parseList, ruleProblem } from "./draft";

describe("editing rules", () => {
  it("moves a rule up or down, and not past either end", () => {
    expect(move(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(move(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
    expect(move(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
    expect(move(["a", "b", "c"], 2, 1)).toEqual(["a", "b", "c"]);
  });

  it("reads comma-separated brands and regions", () => {
    expect(parseList("Bosch, Mann ,, febi ")).toEqual(["Bosch", "Mann", "febi"]);
    expect(parseList(" ")).toEqual([]);
  });

  it("has a starting condition of every type", () => {
    expect(CONDITION_TYPES.map((type) => newCondition(type).type)).toEqual(CONDITION_TYPES);
    expect(newRule("R")).toEqual({ id: 0, name: "R", enabled: true, conditions: [], action: { type: "accept", by: "price" } });
  });

  it("switches actions, keeping a reject's reason while it stays a reject", () => {
    const reject = { type: "reject" as const, reason_id: 402, message: "нет" };
    expect(actionChoice({ type: "accept", by: "delivery" })).toBe("accept_delivery");
    expect(actionOf("reject", reject)).toBe(reject);
    expect(actionOf("reject", { type: "leave" })).toEqual({ type: "reject", reason_id: null, message: null });
    expect(actionOf("accept_price", reject)).toEqual({ type: "accept", by: "price" });
  });

  it("finds what the engine would refuse or misread", () => {
    const rule = newRule("R");
    expect(ruleProblem(rule)).toBeNull();
    expect(ruleProblem({ ...rule, name: "  " })).toBe("name");
    expect(ruleProblem({ ...rule, conditions: [{ type: "min_margin", percent: "ten" }] })).toBe("margin");
    expect(ruleProblem({ ...rule, conditions: [{ type: "min_margin", percent: "12,5" }] })).toBeNull();
    expect(ruleProblem({ ...rule, conditions: [{ type: "max_delivery_days", days: Number.NaN }] })).toBe("days");
    expect(normalised({ ...rule, name: " R ", conditions: [{ type: "min_margin", percent: " 12,5" }] })).toEqual({
      ...rule,
      name: "R",
      conditions: [{ type: "min_margin", percent: "12.5" }],
    });
  });
});
