// Keyboard triage state, kept pure so the e-mail-client rules are unit-tested without a DOM.
// The cursor is a line id (stable across refetches); `index` remembers where it was so that when
// the cursor's line leaves the list (accepted elsewhere, say) the cursor lands on its neighbour.

export type Selection = {
  cursor: number | null;
  index: number;
  selected: ReadonlySet<number>;
};

export const emptySelection: Selection = { cursor: null, index: 0, selected: new Set() };

export type SelectionAction =
  | { type: "move"; delta: number }
  | { type: "focus"; id: number }
  | { type: "toggle"; id?: number }
  | { type: "toggleAll" }
  | { type: "clear" };

export function reduceSelection(ids: readonly number[], s: Selection, a: SelectionAction): Selection {
  const current = reconcile(ids, s);
  switch (a.type) {
    case "move": {
      if (ids.length === 0) return current;
      const index = Math.min(ids.length - 1, Math.max(0, current.index + a.delta));
      return { ...current, cursor: ids[index] ?? null, index };
    }
    case "focus": {
      const index = ids.indexOf(a.id);
      return index < 0 ? current : { ...current, cursor: a.id, index };
    }
    case "toggle": {
      const id = a.id ?? current.cursor;
      if (id == null || !ids.includes(id)) return current;
      const selected = new Set(current.selected);
      if (selected.has(id)) selected.delete(id);
      else selected.add(id);
      return { ...current, selected };
    }
    case "toggleAll": {
      const all = ids.length > 0 && ids.every((id) => current.selected.has(id));
      return { ...current, selected: all ? new Set() : new Set(ids) };
    }
    case "clear":
      return { ...current, selected: new Set() };
  }
}

/**
 * Drops selected ids that left the list and moves a lost cursor to the line now at its place.
 * Returns `s` itself when nothing changed, so that the result can be kept as state.
 */
export function reconcile(ids: readonly number[], s: Selection): Selection {
  const kept = [...s.selected].filter((id) => ids.includes(id));
  const selected = kept.length === s.selected.size ? s.selected : new Set(kept);
  if (ids.length === 0) {
    return s.cursor == null && s.index === 0 && selected === s.selected ? s : { cursor: null, index: 0, selected };
  }
  const at = s.cursor == null ? -1 : ids.indexOf(s.cursor);
  if (at >= 0) return at === s.index && selected === s.selected ? s : { cursor: s.cursor, index: at, selected };
  if (s.cursor == null) return selected === s.selected ? s : { ...s, selected };
  const index = Math.min(s.index, ids.length - 1);
  return { cursor: ids[index] ?? null, index, selected };
}

/** What a triage key acts on: the selection when there is one, else the line under the cursor. */
export function targets(ids: readonly number[], s: Selection): number[] {
  const current = reconcile(ids, s);
  if (current.selected.size > 0) return ids.filter((id) => current.selected.has(id));
  return current.cursor == null ? [] : [current.cursor];
}
