// What the cabinet's charts draw, shaped from CabinetCharts. Pure: chart.js only gets these objects.
import { numberFormat } from "../intl";
import type { DayAmount } from "../bindings/DayAmount";
import type { DayCount } from "../bindings/DayCount";

export type BarDataset = { label: string; data: number[]; backgroundColor: string; stack: string };
export type BarData = { labels: string[]; datasets: BarDataset[] };
export type DoughnutData = { labels: string[]; datasets: { data: number[]; backgroundColor: string[] }[] };
export type LineDataset = { label: string; data: number[]; borderColor: string; backgroundColor: string; tension: number };
export type LineData = { labels: string[]; datasets: LineDataset[] };

const PALETTE = ["#2f6fde", "#e8833a", "#3aa55d", "#9b59b6", "#d64545", "#1aa3a3", "#8c6d3f"];
export const ACCEPTED_COLOR = "#3aa55d";
export const REJECTED_COLOR = "#d64545";

/** Every day from the first to the last (YYYY-MM-DD, UTC), so that quiet days show as gaps. */
export function dayRange(days: readonly string[]): string[] {
  const sorted = [...new Set(days)].filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort();
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first == null || last == null) return [];
  const out: string[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  // A period of years at most: the loop is bounded by the data, not by the clock.
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= end && out.length < 3700; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/**
 * Orders per day, one stacked dataset per source (account kind, or "manual"); marketplaces first,
 * hand-made orders last. `sourceName` words a source for the legend.
 */
export function arrivalsData(arrivals: readonly DayCount[], sourceName: (source: string) => string): BarData {
  const labels = dayRange(arrivals.map((a) => a.day));
  const at = new Map(labels.map((d, i) => [d, i]));
  const sources = [...new Set(arrivals.map((a) => a.source))].sort((a, b) =>
    a === "manual" ? 1 : b === "manual" ? -1 : a.localeCompare(b),
  );
  const datasets = sources.map((source, i) => {
    const data = labels.map(() => 0);
    for (const a of arrivals) {
      const index = at.get(a.day);
      if (a.source === source && index != null) data[index] = (data[index] ?? 0) + a.count;
    }
    return { label: sourceName(source), data, backgroundColor: PALETTE[i % PALETTE.length] as string, stack: "orders" };
  });
  return { labels, datasets };
}

/** The share of accepted and rejected lines. */
export function decisionsData(accepted: number, rejected: number, words: { accepted: string; rejected: string }): DoughnutData {
  return {
    labels: [words.accepted, words.rejected],
    datasets: [{ data: [accepted, rejected], backgroundColor: [ACCEPTED_COLOR, REJECTED_COLOR] }],
  };
}

/** Revenue per day: one line per currency (amounts of different currencies are never added up). */
export function revenueData(revenue: readonly DayAmount[]): LineData {
  const labels = dayRange(revenue.map((r) => r.day));
  const at = new Map(labels.map((d, i) => [d, i]));
  const currencies = [...new Set(revenue.map((r) => r.currency))].sort();
  const datasets = currencies.map((currency, i) => {
    const data = labels.map(() => 0);
    for (const r of revenue) {
      const index = at.get(r.day);
      const amount = Number(r.amount);
      if (r.currency === currency && index != null && Number.isFinite(amount)) {
        data[index] = Math.round(((data[index] ?? 0) + amount) * 100) / 100;
      }
    }
    const color = PALETTE[i % PALETTE.length] as string;
    return { label: currency, data, borderColor: color, backgroundColor: color, tension: 0.2 };
  });
  return { labels, datasets };
}

/** "2 hr 5 min", "3 days 4 hr", "45 sec" as the locale writes units: the two largest that are not zero. */
export function formatDuration(totalSecs: number, locale: string): string {
  const secs = Math.max(0, Math.round(totalSecs));
  const parts: [number, "day" | "hour" | "minute" | "second"][] = [
    [Math.floor(secs / 86_400), "day"],
    [Math.floor((secs % 86_400) / 3600), "hour"],
    [Math.floor((secs % 3600) / 60), "minute"],
    [secs % 60, "second"],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return unit(0, "second", locale);
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, u]) => unit(n, u, locale))
    .join(" ");
}

function unit(n: number, u: string, locale: string): string {
  return numberFormat(locale, { style: "unit", unit: u, unitDisplay: "short" }).format(n);
}
