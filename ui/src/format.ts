// Number, money and time as the manager's language writes them.

export function formatPrice(amount: string, currency: string, locale: string): string {
  const value = Number(amount);
  if (!Number.isFinite(value)) return `${amount} ${currency}`.trim();
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency: currency || "RUB" }).format(value);
  } catch {
    // An unknown currency code from the marketplace: show it as it came.
    return `${new Intl.NumberFormat(locale).format(value)} ${currency}`.trim();
  }
}

export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short" }).format(d);
}
