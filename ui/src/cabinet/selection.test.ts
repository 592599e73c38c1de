import { describe, expect, it } from "vitest";
import { allSelected, clearSelection, click, move, noSelection, rowIndex, selectedIds, toggleAll, toggleCursor } from "./selection";

const rows = rowIndex([10, 11, 12, 13, 14, 15]);
const ids = (s: { selected: ReadonlySet<number> }) => [...s.selected].sort((a, b) => a - b);

describe("cabinet selection", () => {
  it("a click picks one row; Ctrl/Cmd-click adds or removes one", () => {
    let s = click(rows, noSelection, 11);
    expect(ids(s)).toEqual([11]);
    expect(s.cursor).toBe(11);
    s = click(rows, s, 13, { toggle: true });
    expect(ids(s)).toEqual([11, 13]);
    s = click(rows, s, 11, { toggle: true });
    expect(ids(s)).toEqual([13]);
    s = click(rows, s, 14);
    expect(ids(s)).toEqual([14]);
  });

  it("Shift-click takes the range from the last clicked row, either way", () => {
    let s = click(rows, noSelection, 12);
    s = click(rows, s, 14, { shift: true });
    expect(ids(s)).toEqual([12, 13, 14]);
    s = click(rows, s, 10, { shift: true });
    expect(ids(s)).toEqual([10, 11, 12]);
    // With Ctrl too, the range is added to what was selected.
    s = click(rows, click(rows, noSelection, 15), 10, { toggle: true });
    s = click(rows, s, 11, { shift: true, toggle: true });
    expect(ids(s)).toEqual([10, 11, 15]);
  });

  it("keys move the cursor and toggle the row under it", () => {
    let s = move(rows, noSelection, 0);
    expect(s.cursor).toBe(10);
    s = move(rows, s, 1);
    s = move(rows, s, 1);
    expect(s.cursor).toBe(12);
    s = toggleCursor(rows, s);
    expect(ids(s)).toEqual([12]);
    s = move(rows, s, 10);
    expect(s.cursor).toBe(15);
    s = move(rows, s, -10);
    expect(s.cursor).toBe(10);
    s = toggleCursor(rows, s);
    expect(ids(s)).toEqual([10, 12]);
    expect(ids(clearSelection(s))).toEqual([]);
  });

  it("select all takes every loaded row, and again none", () => {
    let s = toggleAll(rows, noSelection);
    expect(allSelected(rows, s)).toBe(true);
    s = toggleAll(rows, s);
    expect(ids(s)).toEqual([]);
  });

  it("rows that left the list drop out of what the bulk actions get, in table order", () => {
    const s = { cursor: null, anchor: null, selected: new Set([14, 99, 10]) };
    expect(selectedIds(rows, s)).toEqual([10, 14]);
  });
});

describe("a large selection", () => {
  it("is read off the list in table order", () => {
    const ids = Array.from({ length: 200_000 }, (_, i) => i + 1);
    const big = rowIndex(ids);
    const all = toggleAll(big, noSelection);
    const started = performance.now();
    expect(selectedIds(big, all)).toHaveLength(200_000);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(selectedIds(big, { ...all, selected: new Set([5, 3, 1]) })).toEqual([1, 3, 5]);
  });
});
