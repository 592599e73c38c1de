import { describe, expect, it } from "vitest";
import type { CabinetCharts } from "../bindings/CabinetCharts";
import { ACCEPTED_COLOR, REJECTED_COLOR, arrivalsData, dayRange, decisionsData, formatDuration, revenueData } from "./chartData";

/** A month's charts: Ozon and hand-made orders on two days, a quiet day between; RUB and EUR revenue. */
const CHARTS: CabinetCharts = {
  arrivals: [
    { day: "2026-11-01", source: "ozon", count: 5 },
    { day: "2026-11-01", source: "manual", count: 1 },
    { day: "2026-11-03", source: "ozon", count: 2 },
    { day: "2026-11-03", source: "manual", count: 4 },
  ],
  accepted: 30,
  rejected: 10,
  median_decision_secs: 7500,
  revenue: [
    { day: "2026-11-01", amount: "1500.50", currency: "RUB" },
    { day: "2026-11-02", amount: "20.00", currency: "EUR" },
    { day: "2026-11-03", amount: "300", currency: "RUB" },
  ],
};

const name = (s: string) => (s === "manual" ? "By hand" : s.toUpperCase());

describe("chart data", () => {
  it("orders per day: one stacked dataset per source, quiet days as zero", () => {
    const data = arrivalsData(CHARTS.arrivals, name);
    expect(data.labels).toEqual(["2026-11-01", "2026-11-02", "2026-11-03"]);
    expect(data.datasets.map((d) => [d.label, d.data, d.stack])).toEqual([
      ["OZON", [5, 0, 2], "orders"],
      ["By hand", [1, 0, 4], "orders"],
    ]);
  });

  it("accepted and rejected as a doughnut", () => {
    expect(decisionsData(30, 10, { accepted: "Accepted", rejected: "Rejected" })).toEqual({
      labels: ["Accepted", "Rejected"],
      datasets: [{ data: [30, 10], backgroundColor: [ACCEPTED_COLOR, REJECTED_COLOR] }],
    });
  });

  it("revenue per day: one line per currency, never added across currencies", () => {
    const data = revenueData(CHARTS.revenue);
    expect(data.labels).toEqual(["2026-11-01", "2026-11-02", "2026-11-03"]);
    expect(data.datasets.map((d) => [d.label, d.data])).toEqual([
      ["EUR", [0, 20, 0]],
      ["RUB", [1500.5, 0, 300]],
    ]);
  });

  it("days run from the first to the last, across a month's end", () => {
    expect(dayRange(["2026-12-02", "2026-11-30"])).toEqual(["2026-11-30", "2026-12-01", "2026-12-02"]);
    expect(dayRange([])).toEqual([]);
  });

  it("a median time reads as the two largest units, in the locale's words", () => {
    // The unit words come from the platform's ICU data; the choice of units is what is ours.
    const u = (n: number, unit: string, locale = "en-GB") =>
      new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "short" }).format(n);
    expect(formatDuration(7500, "en-GB")).toBe(`${u(2, "hour")} ${u(5, "minute")}`);
    expect(formatDuration(45, "en-GB")).toBe(u(45, "second"));
    expect(formatDuration(3 * 86_400 + 3600 * 4 + 59, "en-GB")).toBe(`${u(3, "day")} ${u(4, "hour")}`);
    expect(formatDuration(86_400 + 59, "en-GB")).toBe(u(1, "day"));
    expect(formatDuration(0, "en-GB")).toBe(u(0, "second"));
    expect(formatDuration(7500, "ru-RU")).toBe(`${u(2, "hour", "ru-RU")} ${u(5, "minute", "ru-RU")}`);
  });
});
