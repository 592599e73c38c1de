import { describe, expect, it } from "vitest";
import { emptySelection, reconcile, reduceSelection, targets, type Selection } from "./selection";

const ids = [10, 11, 12, 13];
const apply = (s: Selection, ...actions: Parameters<typeof reduceSelection>[2][]) =>
  actions.reduce((acc, a) => reduceSelection(ids, acc, a), s);

describe("inbox selection", () => {
  it("j from nothing lands on the first line, then moves and stops at the ends", () => {
    let s = apply(emptySelection, { type: "move", delta: 0 });
    expect(s.cursor).toBe(10);
    s = apply(s, { type: "move", delta: 1 }, { type: "move", delta: 1 }, { type: "move", delta: 5 });
    expect(s.cursor).toBe(13);
    s = apply(s, { type: "move", delta: -10 });
    expect(s.cursor).toBe(10);
  });

  it("x toggles the line under the cursor; triage acts on the selection", () => {
    const s = apply(emptySelection, { type: "focus", id: 11 }, { type: "toggle" }, { type: "move", delta: 1 }, { type: "toggle" });
    expect([...s.selected].sort()).toEqual([11, 12]);
    expect(targets(ids, s)).toEqual([11, 12]);
    const again = apply(s, { type: "toggle" });
    expect(targets(ids, again)).toEqual([11]);
  });

  it("without a selection triage acts on the cursor line only", () => {
    const s = apply(emptySelection, { type: "focus", id: 12 });
    expect(targets(ids, s)).toEqual([12]);
    expect(targets(ids, emptySelection)).toEqual([]);
  });

  it("select all toggles between all and none", () => {
    const all = apply(emptySelection, { type: "toggleAll" });
    expect(all.selected.size).toBe(4);
    expect(apply(all, { type: "toggleAll" }).selected.size).toBe(0);
  });

  it("when the cursor's line leaves, the cursor takes the line now in its place", () => {
    const s = apply(emptySelection, { type: "focus", id: 11 }, { type: "toggle" });
    const after = reconcile([10, 12, 13], s);
    expect(after.cursor).toBe(12);
    expect(after.selected.size).toBe(0);
    expect(reconcile([10], { ...s, index: 3, cursor: 13 }).cursor).toBe(10);
    expect(reconcile([], s).cursor).toBeNull();
  });

  it("reconciling an unchanged selection gives it back as it is, an empty list included", () => {
    const s = apply(emptySelection, { type: "focus", id: 12 }, { type: "toggle" });
    expect(reconcile(ids, s)).toBe(s);
    expect(reconcile([], emptySelection)).toBe(emptySelection);
  });

  it("focus on an unknown id changes nothing", () => {
    const s = apply(emptySelection, { type: "focus", id: 99 });
    expect(s.cursor).toBeNull();
  });
});
