import { describe, expect, it } from "vitest";
import type { CategoryView } from "../bindings/CategoryView";
import { categoryTree } from "./tree";

const category = (id: number, parent_id: number | null, name: string): CategoryView => ({
  id,
  parent_id,
  name,
  path: name,
  products: 0,
});

describe("category tree", () => {
  it("puts each category one level under its parent, in the engine's order", () => {
    const rows = categoryTree([
      category(1, null, "Parts"),
      category(2, 1, "Brakes"),
      category(5, 2, "Pads"),
      category(3, 1, "Filters"),
      category(4, null, "Oils"),
    ]);
    expect(rows.map((r) => [r.category.name, r.depth])).toEqual([
      ["Parts", 0],
      ["Brakes", 1],
      ["Pads", 2],
      ["Filters", 1],
      ["Oils", 0],
    ]);
  });

  it("shows a category whose parent is not listed at the top level", () => {
    expect(categoryTree([category(7, 99, "Orphan")]).map((r) => r.depth)).toEqual([0]);
  });
});
