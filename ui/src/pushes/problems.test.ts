import { describe, expect, it } from "vitest";
import type { PushProblem } from "../bindings/PushProblem";
import type { PushSettings } from "../bindings/PushSettings";
import type { StatusPush } from "../bindings/StatusPush";
import ozonPushes from "../test/fixtures/ozon_pushes.json";
import { recorded } from "../test/recorded";
import { fieldProblemsOf, pushProblemsOf, unplaced } from "./problems";

// The engine's answers for an Ozon account: its settings as they start, then what it said to two
// saves (the problems are the engine's, for what Ozon can take).
const start = recorded<PushSettings>(ozonPushes, "push_settings");
const saves = ozonPushes.answers.filter((a) => a.cmd === "save_push_settings").map((a) => a.ok as PushSettings);
const [withTexts, withOrderPush] = saves as [PushSettings, PushSettings];
const caps = start.capabilities;
const empty = start.templates;

const push = (over: Partial<StatusPush>): StatusPush => ({
  status_id: 4,
  level: "line",
  marketplace_status: "",
  comment: "",
  ...over,
});

describe("push problems on screen", () => {
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
    const t = withTexts.templates;
    const problems = withTexts.problems;
    expect(fieldProblemsOf(problems, "accepted_status", t)).toEqual([
      { type: "unsupported_status", status_id: null, marketplace_status: "awaiting_deliver" },
    ]);
    expect(fieldProblemsOf(problems, "refusal_status", t)).toEqual([]);
    expect(fieldProblemsOf(problems, "accepted_notice", t)).toEqual([{ type: "no_comments", status_id: null }]);
    expect(fieldProblemsOf(problems, "refusal_text", t)).toEqual([]);
    expect(pushProblemsOf(problems, push({ comment: "x" }), caps)).toEqual([]);
  });

  it("problems about rows the settings no longer have are still listed, never dropped", () => {
    const t = withOrderPush.templates;
    const problems = withOrderPush.problems;
    expect(problems).not.toEqual([]);
    expect(unplaced(problems, t, caps)).toEqual([]);
    expect(unplaced(problems, empty, caps)).toEqual(problems);
    const noLevel: PushProblem = { type: "no_level", status_id: 3, level: "order" };
    expect(unplaced([noLevel], t, caps)).toEqual([noLevel]);
  });
});
