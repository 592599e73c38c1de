import { describe, expect, it } from "vitest";
import type { PushProblem } from "../bindings/PushProblem";
import type { StatusPush } from "../bindings/StatusPush";
import { OZON_CAPABILITIES, emptyTemplates, pushProblems } from "../test/pushes";
import { fieldProblemsOf, pushProblemsOf, unplaced } from "./problems";

const push = (over: Partial<StatusPush>): StatusPush => ({
  status_id: 4,
  level: "line",
  marketplace_status: "",
  comment: "",
  ...over,
});

describe("push problems on screen", () => {
  const caps = OZON_CAPABILITIES;

  it("an unsupported status is shown on the row whose level lacks it, not on its sibling", () => {
    const shipLine = push({ marketplace_status: "ship", level: "line" });
    const shipOrder = push({ marketplace_status: "ship", level: "order" });
    const problems: PushProblem[] = [{ type: "unsupported_status", status_id: 4, marketplace_status: "ship" }];
    expect(pushProblemsOf(problems, shipLine, caps)).toEqual(problems);
    expect(pushProblemsOf(problems, shipOrder, caps)).toEqual([]);
    // Fixed in the draft: the problem of the saved row no longer applies.
    expect(pushProblemsOf(problems, { ...shipLine, marketplace_status: "cancel" }, caps)).toEqual([]);
  });

  it("comment problems go to the texts that have one; the accepted and refusal fields are told apart", () => {
    const t = { ...emptyTemplates(), accepted_status: "delivered", accepted_notice: "Принят {order}", refusal_status: "cancel" };
    const problems = pushProblems(t, caps);
    expect(fieldProblemsOf(problems, "accepted_status", t)).toEqual([
      { type: "unsupported_status", status_id: null, marketplace_status: "delivered" },
    ]);
    expect(fieldProblemsOf(problems, "refusal_status", t)).toEqual([]);
    expect(fieldProblemsOf(problems, "accepted_notice", t)).toEqual([{ type: "no_comments", status_id: null }]);
    expect(fieldProblemsOf(problems, "refusal_text", t)).toEqual([]);
    expect(pushProblemsOf(problems, push({ comment: "x" }), caps)).toEqual([]);
  });

  it("problems about rows the settings no longer have are still listed, never dropped", () => {
    const t = { ...emptyTemplates(), pushes: [push({ status_id: 9, level: "order", marketplace_status: "delivered" })] };
    const problems = pushProblems(t, caps);
    expect(unplaced(problems, t, caps)).toEqual([]);
    expect(unplaced(problems, emptyTemplates(), caps)).toEqual(problems);
    const noLevel: PushProblem = { type: "no_level", status_id: 3, level: "order" };
    expect(unplaced([noLevel], t, caps)).toEqual([noLevel]);
  });
});
