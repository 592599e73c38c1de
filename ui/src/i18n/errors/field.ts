import type { ErrorCatalog } from "../errors";

/** A field's name in the catalog's language, else the engine's (English) label. */
export function fieldName(c: ErrorCatalog, field: string, label: string): string {
  return Object.prototype.hasOwnProperty.call(c.fields, field) ? (c.fields[field] ?? label) : label;
}
