// Row selection of the cabinet's table, as file managers do it: click picks one row, Ctrl/Cmd-click
// adds or removes one, Shift-click takes the range from the last clicked row. Pure, and cheap at a
// million loaded rows: ids are looked up in a Map, never searched for in the list.

export type RowSelection = {
  /** The row under the keyboard cursor (an id, stable across refetches). */
  cursor: number | null;
  /** Where a Shift-click range starts. */
  anchor: number | null;
  selected: ReadonlySet<number>;
};

export const noSelection: RowSelection = { cursor: null, anchor: null, selected: new Set() };

/** The loaded rows' ids in table order and where each one is. */
export type RowIndex = { ids: readonly number[]; at: ReadonlyMap<number, number> };

export function rowIndex(ids: readonly number[]): RowIndex {
  return { ids, at: new Map(ids.map((id, i) => [id, i])) };
}

export type ClickMods = { shift?: boolean; toggle?: boolean };

export function click(rows: RowIndex, s: RowSelection, id: number, mods: ClickMods = {}): RowSelection {
  const here = rows.at.get(id);
  if (here == null) return s;
  if (mods.shift) {
    const anchorId = s.anchor ?? s.cursor ?? id;
    const from = rows.at.get(anchorId) ?? here;
    const [lo, hi] = from <= here ? [from, here] : [here, from];
    const selected = new Set(mods.toggle ? s.selected : []);
    for (let i = lo; i <= hi; i++) selected.add(rows.ids[i] as number);
    return { cursor: id, anchor: rows.at.has(anchorId) ? anchorId : id, selected };
  }
  if (mods.toggle) return { cursor: id, anchor: id, selected: toggled(s.selected, id) };
  return { cursor: id, anchor: id, selected: new Set([id]) };
}

/** j/k and the arrows: the cursor moves, the selection stays. */
export function move(rows: RowIndex, s: RowSelection, delta: number): RowSelection {
  if (rows.ids.length === 0) return s;
  const at = s.cursor == null ? null : rows.at.get(s.cursor);
  const index = at == null ? 0 : Math.min(rows.ids.length - 1, Math.max(0, at + delta));
  return { ...s, cursor: rows.ids[index] ?? null };
}

/** x and Space: the cursor's row in or out of the selection. */
export function toggleCursor(rows: RowIndex, s: RowSelection): RowSelection {
  if (s.cursor == null || !rows.at.has(s.cursor)) return s;
  return { ...s, anchor: s.cursor, selected: toggled(s.selected, s.cursor) };
}

/** Every loaded row, or none when all of them already are. */
export function toggleAll(rows: RowIndex, s: RowSelection): RowSelection {
  const all = rows.ids.length > 0 && allSelected(rows, s);
  return { ...s, selected: all ? new Set() : new Set(rows.ids) };
}

export function allSelected(rows: RowIndex, s: RowSelection): boolean {
  return rows.ids.length > 0 && s.selected.size >= rows.ids.length && rows.ids.every((id) => s.selected.has(id));
}

export function clearSelection(s: RowSelection): RowSelection {
  return s.selected.size === 0 ? s : { ...s, selected: new Set() };
}

/** The selected ids still in the list, in table order (rows that left after a refetch drop out). */
export function selectedIds(rows: RowIndex, s: RowSelection): number[] {
  // A big selection (all of a million loaded rows) is read off the list in order instead of sorted.
  if (s.selected.size * 16 > rows.ids.length) return rows.ids.filter((id) => s.selected.has(id));
  return [...s.selected]
    .filter((id) => rows.at.has(id))
    .sort((a, b) => (rows.at.get(a) as number) - (rows.at.get(b) as number));
}

function toggled(set: ReadonlySet<number>, id: number): Set<number> {
  const next = new Set(set);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}
