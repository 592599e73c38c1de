// Sizes of database files as the manager's language writes them.
import { numberFormat } from "../intl";

const UNITS = ["kilobyte", "megabyte", "gigabyte", "terabyte"] as const;

/** 1536 → "1.5 kB" (en-GB) / "1,5 кБ" (ru-RU): binary steps from kilobytes, at most one decimal. */
export function formatBytes(bytes: number, locale: string): string {
  let value = Math.max(0, bytes) / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return numberFormat(locale, {
    style: "unit",
    unit: UNITS[unit],
    unitDisplay: "short",
    maximumFractionDigits: 1,
  }).format(value);
}
