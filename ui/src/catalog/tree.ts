import type { CategoryView } from "../bindings/CategoryView";

export type TreeRow = { category: CategoryView; depth: number };

/**
 * The categories as the tree shows them: in the engine's order (each after its parent), each one
 * level deeper than its parent. A parent missing from the list puts its child at the top level.
 */
export function categoryTree(categories: readonly CategoryView[]): TreeRow[] {
  const depths = new Map<number, number>();
  return categories.map((category) => {
    const parent = category.parent_id == null ? undefined : depths.get(category.parent_id);
    const depth = parent == null ? 0 : parent + 1;
    depths.set(category.id, depth);
    return { category, depth };
  });
}
