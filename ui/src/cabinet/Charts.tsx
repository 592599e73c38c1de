import { numberFormat } from "../intl";
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";
import { useEffect, useMemo, useRef } from "react";
import type { CabinetCharts } from "../bindings/CabinetCharts";
import type { OrderFilter } from "../bindings/OrderFilter";
import { useI18n } from "../i18n";
import { arrivalsData, decisionsData, formatDuration, revenueData } from "./chartData";
import { useCabinetCharts } from "./queries";
import { sourceName } from "./words";

Chart.register(
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

/** One chart.js chart on its own canvas: made when its config changes, destroyed when it goes. */
function ChartCanvas({ config, label, testId }: { config: ChartConfiguration; label: string; testId: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [config]);
  return (
    <div className="chart-box">
      <canvas ref={canvas} role="img" aria-label={label} data-testid={testId} />
    </div>
  );
}

/** The charts over the period of the current filters. */
export function Charts({ filter }: { filter: OrderFilter }) {
  const { t } = useI18n();
  const charts = useCabinetCharts(filter, true);
  return (
    <section className="cabinet-charts" data-testid="cabinet-charts" aria-busy={charts.isLoading}>
      <p className="hint">{t.cabinet.chart.periodHint}</p>
      {charts.isError && <p className="form-problem">{charts.error.message}</p>}
      {charts.data && <ChartsBody data={charts.data} />}
    </section>
  );
}

function ChartsBody({ data }: { data: CabinetCharts }) {
  const { t, locale } = useI18n();
  const w = t.cabinet.chart;
  const arrivals = useMemo(
    (): ChartConfiguration => ({
      type: "bar",
      data: arrivalsData(data.arrivals, (s) => sourceName(s, t)),
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    }),
    [data.arrivals, t],
  );
  const decisions = useMemo(
    (): ChartConfiguration => ({
      type: "doughnut",
      data: decisionsData(data.accepted, data.rejected, w),
      options: { responsive: true, maintainAspectRatio: false, animation: false },
    }),
    [data.accepted, data.rejected, w],
  );
  const revenue = useMemo(
    (): ChartConfiguration => ({
      type: "line",
      data: revenueData(data.revenue),
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          y: {
            beginAtZero: true,
            ticks: { callback: (v) => numberFormat(locale).format(Number(v)) },
          },
        },
      },
    }),
    [data.revenue, locale],
  );
  const nothing = data.arrivals.length === 0 && data.accepted + data.rejected === 0 && data.revenue.length === 0;
  if (nothing) return <p className="hint">{w.empty}</p>;
  return (
    <div className="chart-grid">
      <figure>
        <figcaption>{w.arrivals}</figcaption>
        <ChartCanvas config={arrivals} label={w.arrivals} testId="chart-arrivals" />
      </figure>
      <figure>
        <figcaption>{w.decisions}</figcaption>
        <ChartCanvas config={decisions} label={w.decisions} testId="chart-decisions" />
      </figure>
      <figure className="chart-figure">
        <figcaption>{w.median}</figcaption>
        <p className="median" data-testid="chart-median">
          {data.median_decision_secs == null ? w.noMedian : formatDuration(data.median_decision_secs, locale)}
        </p>
      </figure>
      <figure>
        <figcaption>{w.revenue}</figcaption>
        <ChartCanvas config={revenue} label={w.revenue} testId="chart-revenue" />
      </figure>
    </div>
  );
}
