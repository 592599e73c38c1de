// Keyboard triage state, kept pure so the e-mail-client rules are unit-tested without a DOM.
// The list is made of rows: lines, and (in the inbox) the header of each order above its lines. A
// line's row is keyed by the line's id; an order header by `order:<order id>`. The cursor is a row
// key (stable across refetches); `index` remembers where it was so that when the cursor's row
// leaves the list (accepted elsewhere, say) the cursor lands on its neighbour. Only lines are
// selected: selecting a header selects the lines beneath it.

/** An order header's key: never a number, so it cannot be mistaken for a line's id. */
export type OrderKey = `order:${number}`;
export type RowKey = number | OrderKey;
/** A row and the lines it stands for: itself for a line, the order's lines for a header. */
export type ListRow = { key: RowKey; lines: readonly number[] };
/** A plain list of line ids (every row a line), or rows with order headers among them. */
export type Rows = readonly number[] | readonly ListRow[];

export const orderKey = (orderId: number): OrderKey => `order:${orderId}`;
export const isOrderKey = (key: RowKey | null): key is OrderKey => typeof key === "string";

export type Selection = {
  cursor: RowKey | null;
  index: number;
  selected: ReadonlySet<number>;
};

export const emptySelection: Selection = { cursor: null, index: 0, selected: new Set() };

export type SelectionAction =
  /** j/k: over the lines, stepping past the headers. */
  | { type: "move"; delta: number }
  /** J/K: to the next / previous order's header. */
  | { type: "jump"; delta: number }
  | { type: "focus"; id: RowKey }
  /** A line's own selection; a header's selects (or, when all are, unselects) all its lines. */
  | { type: "toggle"; id?: RowKey }
  | { type: "toggleAll" }
  | { type: "clear" }
  /**
   * A decision on these lines was sent: they are leaving. The selection clears, and a cursor on a
   * row that leaves with them moves to the nearest row of its kind that stays (the next, else the
   * one before): a line's to a line, never to a header whose key would act on a whole order.
   * The cursor is then that row, not a place in the list, so refreshes that add rows above keep it.
   */
  | { type: "decided"; lines: readonly number[] };

const plain = new WeakMap<readonly number[], readonly ListRow[]>();

function asRows(rows: Rows): readonly ListRow[] {
  if (rows.length === 0) return [];
  if (typeof rows[0] !== "number") return rows as readonly ListRow[];
  const ids = rows as readonly number[];
  let out = plain.get(ids);
  if (!out) {
    out = ids.map((id) => ({ key: id, lines: [id] }));
    plain.set(ids, out);
  }
  return out;
}

const indexOf = (rows: readonly ListRow[], key: RowKey) => rows.findIndex((r) => r.key === key);
const allLines = (rows: readonly ListRow[]) => rows.filter((r) => !isOrderKey(r.key)).map((r) => r.key as number);

export function reduceSelection(list: Rows, s: Selection, a: SelectionAction): Selection {
  const rows = asRows(list);
  const current = reconcile(rows, s);
  const at = (index: number): Selection => ({ ...current, cursor: rows[index]?.key ?? null, index });
  switch (a.type) {
    case "move": {
      const lines = rows.flatMap((r, i) => (isOrderKey(r.key) ? [] : [i]));
      if (lines.length === 0) return current;
      const onLine = current.cursor != null && !isOrderKey(current.cursor);
      // The first line at or below the cursor (a header's first line; nothing yet: the top one).
      let next = lines.findIndex((i) => i >= current.index);
      if (next < 0) next = lines.length;
      const target = onLine || a.delta === 0 ? next + a.delta : a.delta > 0 ? next + a.delta - 1 : next + a.delta;
      return at(lines[Math.min(lines.length - 1, Math.max(0, target))] ?? 0);
    }
    case "jump": {
      const headers = rows.flatMap((r, i) => (isOrderKey(r.key) ? [i] : []));
      if (headers.length === 0) return current;
      if (current.cursor == null) return at(headers[0] ?? 0);
      const target =
        a.delta > 0
          ? headers.filter((i) => i > current.index)[a.delta - 1]
          : headers.filter((i) => i < current.index).at(a.delta);
      return target == null ? current : at(target);
    }
    case "focus": {
      const index = indexOf(rows, a.id);
      return index < 0 ? current : at(index);
    }
    case "toggle": {
      const id = a.id ?? current.cursor;
      const row = id == null ? undefined : rows[indexOf(rows, id)];
      if (!row || row.lines.length === 0) return current;
      const selected = new Set(current.selected);
      if (row.lines.every((l) => selected.has(l))) for (const l of row.lines) selected.delete(l);
      else for (const l of row.lines) selected.add(l);
      return { ...current, selected };
    }
    case "toggleAll": {
      const ids = allLines(rows);
      const all = ids.length > 0 && ids.every((id) => current.selected.has(id));
      return { ...current, selected: all ? new Set() : new Set(ids) };
    }
    case "clear":
      return { ...current, selected: new Set() };
    case "decided": {
      const gone = new Set(a.lines);
      const stays = (r: ListRow) => r.lines.some((l) => !gone.has(l));
      const cursor = current.cursor;
      const row = rows[current.index];
      if (cursor == null || !row || stays(row)) return { ...current, selected: new Set() };
      // Where the cursor lands once the decided rows are gone, told in the rows that stay.
      const staying = rows.filter(stays);
      const place = rows.slice(0, current.index).filter(stays).length;
      const index = staying.length === 0 ? undefined : nearestOfKind(staying, Math.min(place, staying.length - 1), isOrderKey(cursor));
      const key = index == null ? undefined : staying[index]?.key;
      return key == null ? { ...emptySelection } : { ...at(indexOf(rows, key)), selected: new Set() };
    }
  }
}

/**
 * Drops selected ids that left the list and moves a lost cursor to the row of its kind now at its
 * place (or the nearest one below, else above): a line's cursor never lands on a header, whose
 * key would act on a whole order. Returns `s` itself when nothing changed, so that the result can
 * be kept as state.
 */
export function reconcile(list: Rows, s: Selection): Selection {
  const rows = asRows(list);
  const present = new Set(allLines(rows));
  const kept = [...s.selected].filter((id) => present.has(id));
  const selected = kept.length === s.selected.size ? s.selected : new Set(kept);
  if (rows.length === 0) {
    return s.cursor == null && s.index === 0 && selected === s.selected ? s : { cursor: null, index: 0, selected };
  }
  const at = s.cursor == null ? -1 : indexOf(rows, s.cursor);
  if (at >= 0) return at === s.index && selected === s.selected ? s : { cursor: s.cursor, index: at, selected };
  if (s.cursor == null) return selected === s.selected ? s : { ...s, selected };
  const place = Math.min(s.index, rows.length - 1);
  const index = nearestOfKind(rows, place, isOrderKey(s.cursor)) ?? place;
  return { cursor: rows[index]?.key ?? null, index, selected };
}

/** The first row at or below `from` that is a header (or a line), else the last one above it. */
function nearestOfKind(rows: readonly ListRow[], from: number, header: boolean): number | undefined {
  const fits = (i: number) => isOrderKey((rows[i] as ListRow).key) === header;
  for (let i = from; i < rows.length; i++) if (fits(i)) return i;
  for (let i = from - 1; i >= 0; i--) if (fits(i)) return i;
  return undefined;
}

/** What a triage key acts on: the selection when there is one, else the row under the cursor. */
export function targets(list: Rows, s: Selection): number[] {
  const rows = asRows(list);
  const current = reconcile(rows, s);
  if (current.selected.size > 0) return allLines(rows).filter((id) => current.selected.has(id));
  if (current.cursor == null) return [];
  return [...(rows[indexOf(rows, current.cursor)]?.lines ?? [])];
}

/** How much of a row's lines are selected: a header's checkbox is checked, mixed or clear. */
export function selectedOf(row: ListRow, s: Selection): "all" | "some" | "none" {
  const n = row.lines.filter((l) => s.selected.has(l)).length;
  return n === 0 ? "none" : n === row.lines.length ? "all" : "some";
}
