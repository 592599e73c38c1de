// The charts on the engine's recorded answer (cabinet_charts.json, ui_fixtures.rs
// `cabinet_charts_of_a_month`): two Ozon postings on 2025-11-01 (two products accepted, one
// rejected), two orders by hand on 11-03 in RUB and EUR. What the engine counts is tested there and
// in engine tests/cabinet.rs; here, what the window draws from it.
import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import fixture from "../test/fixtures/cabinet_charts.json";
import { serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { Charts } from "./Charts";
import { defaultView } from "./viewState";

// jsdom has no canvas: chart.js is replaced by a recorder of what it was asked to draw.
const made = vi.hoisted(() => ({ configs: [] as { type: string; data: unknown }[], destroyed: 0 }));
vi.mock("chart.js", () => {
  class Chart {
    static register() {}
    constructor(_canvas: HTMLCanvasElement, config: { type: string; data: unknown }) {
      made.configs.push(config);
    }
    destroy() {
      made.destroyed++;
    }
  }
  const part = {};
  return {
    Chart,
    ArcElement: part,
    BarController: part,
    BarElement: part,
    CategoryScale: part,
    DoughnutController: part,
    Legend: part,
    LinearScale: part,
    LineController: part,
    LineElement: part,
    PointElement: part,
    Tooltip: part,
  };
});

describe("charts", () => {
  it("draws orders per day, the decisions and revenue from the period of the filters, and cleans up", async () => {
    made.configs = [];
    made.destroyed = 0;
    const served = serveRecorded(fixture);
    const filter = { ...defaultView().filter, from: "2025-11-01T00:00:00.000Z", to: "2025-11-30T23:59:59.999Z" };
    const view = renderWithProviders(<Charts filter={filter} />);
    await waitFor(() => expect(made.configs).toHaveLength(3));
    expect(served.callsTo("cabinet_charts").map((c) => c.args)).toEqual([{ filter }]);

    const [bars, doughnut, line] = made.configs as [
      { type: string; data: { labels: string[]; datasets: { label: string; data: number[] }[] } },
      { type: string; data: { labels: string[]; datasets: { data: number[] }[] } },
      { type: string; data: { datasets: { label: string; data: number[] }[] } },
    ];
    expect(bars.type).toBe("bar");
    // The quiet day between is drawn as nothing.
    expect(bars.data.labels).toEqual(["2025-11-01", "2025-11-02", "2025-11-03"]);
    expect(bars.data.datasets.map((d) => [d.label, d.data])).toEqual([
      ["Ozon", [2, 0, 0]],
      ["By hand", [0, 0, 2]],
    ]);
    expect(doughnut.type).toBe("doughnut");
    expect(doughnut.data.labels).toEqual(["Accepted", "Rejected"]);
    expect(doughnut.data.datasets[0]?.data).toEqual([2, 1]);
    expect(line.type).toBe("line");
    expect(line.data.datasets.map((d) => d.label)).toEqual(["EUR", "RUB"]);
    expect(screen.getByTestId("chart-median")).toHaveTextContent(/^2 hr.* 5 min/);

    view.unmount();
    expect(made.destroyed).toBe(3);
  });

  it("says when the period has nothing to draw", async () => {
    made.configs = [];
    serveRecorded(fixture);
    const october = { ...defaultView().filter, from: "2025-10-01T00:00:00.000Z", to: "2025-10-31T23:59:59.999Z" };
    renderWithProviders(<Charts filter={october} />);
    expect(await screen.findByText("No data for this period.")).toBeInTheDocument();
    expect(made.configs).toEqual([]);
  });
});
