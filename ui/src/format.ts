// Number, money and time as the manager's language writes them.
import { numberFormat, dateTimeFormat } from "./intl";

export function formatPrice(amount: string, currency: string, locale: string): string {
  const value = Number(amount);
  if (!Number.isFinite(value)) return `${amount} ${currency}`.trim();
  try {
    return numberFormat(locale, { style: "currency", currency: currency || "RUB" }).format(value);
  } catch {
    // An unknown currency code from the marketplace: show it as it came.
    return `${numberFormat(locale).format(value)} ${currency}`.trim();
  }
}

export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return dateTimeFormat(locale, { dateStyle: "short", timeStyle: "short" }).format(d);
}

/** A time of day (hours and minutes), as the language writes it. */
export function formatTime(iso: string, locale: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return dateTimeFormat(locale, { timeStyle: "short" }).format(d);
}

/** A supplier's price: price lists carry no currency, so the number alone. */
export function formatAmount(amount: string, locale: string): string {
  const value = Number(amount);
  if (!Number.isFinite(value)) return amount;
  return numberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
}

/** A margin such as "25.0" → "25 %" / "25,5 %", as the language writes percentages. */
export function formatPercent(percent: string | null, locale: string): string {
  if (percent == null) return "";
  const value = Number(percent);
  if (!Number.isFinite(value)) return percent;
  return numberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(value / 100);
}
