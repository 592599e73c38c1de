// Which column of a supplier's file holds which field. Pure, so the column-picking rules are tested
// without a DOM. The screen picks a field per column; the engine wants a column per field.
import type { ColumnMapping } from "../bindings/ColumnMapping";
import type { ImportPreview } from "../bindings/ImportPreview";

export type Field = keyof ColumnMapping;
export const FIELDS: readonly Field[] = ["brand", "article", "name", "price", "stock", "delivery_days", "supplier"];
/** Without these a row cannot become an offer. */
export const REQUIRED: readonly Field[] = ["article", "price"];

/** A mapping being chosen: any field may still be missing. */
export type DraftMapping = Partial<Record<Field, number>>;

export function draftOf(mapping: ColumnMapping | null | undefined): DraftMapping {
  const draft: DraftMapping = {};
  if (!mapping) return draft;
  for (const field of FIELDS) {
    const column = mapping[field];
    if (column != null) draft[field] = column;
  }
  return draft;
}

export function fieldAt(draft: DraftMapping, column: number): Field | null {
  return FIELDS.find((f) => draft[f] === column) ?? null;
}

/** Puts `field` in `column`; a field lives in one column and a column holds one field. */
export function assign(draft: DraftMapping, column: number, field: Field | null): DraftMapping {
  const next: DraftMapping = {};
  for (const f of FIELDS) {
    const c = draft[f];
    if (c != null && c !== column && f !== field) next[f] = c;
  }
  if (field) next[field] = column;
  return next;
}

export function missing(draft: DraftMapping): Field[] {
  return REQUIRED.filter((f) => draft[f] == null);
}

/** The mapping the engine takes, or null while the article or the price has no column. */
export function complete(draft: DraftMapping): ColumnMapping | null {
  const { article, price } = draft;
  if (article == null || price == null) return null;
  return {
    brand: draft.brand ?? null,
    article,
    name: draft.name ?? null,
    price,
    stock: draft.stock ?? null,
    delivery_days: draft.delivery_days ?? null,
    supplier: draft.supplier ?? null,
  };
}

/** Files are ragged: the widest row decides how many columns there are to map. */
export function columnCount(preview: ImportPreview): number {
  return Math.max(preview.header?.length ?? 0, ...preview.rows.map((r) => r.length));
}

/** Spreadsheets have cells, so delimiter and encoding mean nothing for them. */
export function isSpreadsheet(path: string): boolean {
  return /\.(xlsx|xls|xlsm|ods)$/i.test(path.trim());
}

/** The file's name without its folder, as a default list name. */
export function baseName(path: string): string {
  const name = path.trim().split(/[\\/]/).pop() ?? "";
  return name.replace(/\.[^.]+$/, "");
}
