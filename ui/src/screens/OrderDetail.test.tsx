import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { OrderDetail as Detail } from "../bindings/OrderDetail";
import lineStatus from "../test/fixtures/line_status.json";
import { type Fixture, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { LINES_AT_FIRST, OrderDetail } from "./OrderDetail";

/**
 * The engine's line_status scenario (ui_fixtures.rs) records an order with an accepted "Brake pad";
 * here that order comes with 120 lines, each a copy of the pad under its own id and name.
 */
function longOrder(lines: number): Detail {
  const recorded = (lineStatus as Fixture).answers
    .filter((a) => a.cmd === "order_detail")
    .map((a) => structuredClone(a.ok) as Detail)
    .find((d) => d.order.lines.some((l) => l.name === "Brake pad"));
  if (!recorded) throw new Error("the scenario records the order of the brake pad");
  const pad = recorded.order.lines.find((l) => l.name === "Brake pad");
  if (!pad) throw new Error("the order has the brake pad");
  recorded.order.lines = Array.from({ length: lines }, (_, i) => ({ ...pad, id: 10_000 + i, name: `Part ${i + 1}` }));
  return recorded;
}

describe("an order with many lines", () => {
  it("beside the inbox shows its first lines at once and the rest on asking, the bulk change still counting every line", async () => {
    const order = longOrder(120);
    serveRecorded(lineStatus as Fixture, { order_detail: () => structuredClone(order) });
    const user = userEvent.setup();
    renderWithProviders(<OrderDetail orderId={order.order.id} linesAtFirst={LINES_AT_FIRST} />);

    const more = await screen.findByTestId("order-lines-more");
    expect(screen.getAllByTestId("order-line")).toHaveLength(LINES_AT_FIRST);
    expect(more).toHaveTextContent(`Showing ${LINES_AT_FIRST} of 120 lines`);
    expect(screen.queryByText(`Part ${LINES_AT_FIRST + 1}`)).toBeNull();
    // What the manager sets for all accepted lines reaches the ones not drawn yet too.
    expect(await screen.findByTestId("order-status-apply")).toHaveTextContent("Set for all 120 accepted lines");

    await user.click(within(more).getByTestId("order-lines-all"));
    expect(screen.getAllByTestId("order-line")).toHaveLength(120);
    expect(screen.getByText("Part 120")).toBeInTheDocument();
    expect(screen.queryByTestId("order-lines-more")).toBeNull();
  });

  it("beside the inbox shows a short order whole, with nothing to ask for", async () => {
    const order = longOrder(LINES_AT_FIRST);
    serveRecorded(lineStatus as Fixture, { order_detail: () => structuredClone(order) });
    renderWithProviders(<OrderDetail orderId={order.order.id} linesAtFirst={LINES_AT_FIRST} />);
    expect(await screen.findAllByTestId("order-line")).toHaveLength(LINES_AT_FIRST);
    expect(screen.queryByTestId("order-lines-more")).toBeNull();
  });

  it("on its own screen shows every line", async () => {
    const order = longOrder(120);
    serveRecorded(lineStatus as Fixture, { order_detail: () => structuredClone(order) });
    renderWithProviders(<OrderDetail orderId={order.order.id} onBack={() => {}} />);
    expect(await screen.findAllByTestId("order-line")).toHaveLength(120);
    expect(screen.queryByTestId("order-lines-more")).toBeNull();
  });
});
