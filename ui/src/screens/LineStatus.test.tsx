import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { OrderDetail } from "../bindings/OrderDetail";
import lineStatus from "../test/fixtures/line_status.json";
import lineStatusBulk from "../test/fixtures/line_status_bulk.json";
import lineStatusNotSent from "../test/fixtures/line_status_not_sent.json";
import lineStatusRefused from "../test/fixtures/line_status_refused.json";
import { type Fixture, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

/**
 * The engine's scenarios (ui_fixtures.rs, line_status_*): an Ozon posting of "Brake pad" and
 * "Disc" (accepted) and "Arm" (rejected), and a newer one of "Oil filter" (accepted), both shop
 * orders now. Which statuses lines may move to and what goes out is tested in Rust (engine
 * statuses tests).
 */
/** The fixture served, and a line's id by its product's name. */
function withAccepted(fixture: Fixture) {
  const b = serveRecorded(fixture);
  const line = (product: string) => {
    const found = details(fixture).flatMap((d) => d.order.lines).find((l) => l.name === product);
    if (!found) throw new Error(`the scenario records ${product}`);
    return found.id;
  };
  return { b, line };
}

const details = (fixture: Fixture) =>
  fixture.answers.filter((a) => a.cmd === "order_detail" && a.step === 0).map((a) => a.ok as OrderDetail);

/** The shop order made from the marketplace order with this product, by its number in All orders. */
function shopNumber(fixture: Fixture, product: string): string {
  const detail = details(fixture).find((d) => d.order.lines.some((l) => l.name === product));
  const full = fixture.answers.filter((a) => a.cmd === "shop_order_full" && a.step === 0).map((a) => a.ok as { source_order_id: number | null; draft: { number: string } });
  const shop = full.find((f) => f.source_order_id === detail?.order.id);
  if (!shop) throw new Error(`the scenario records the shop order of ${product}`);
  return shop.draft.number;
}

/** All orders → the shop order → its marketplace order, where each line has its status. */
async function openOrder(number: string) {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-orders"));
  // The list is read after the start's reads: on a loaded machine that takes a moment.
  await user.click(await screen.findByRole("button", { name: number }, { timeout: 5_000 }));
  await user.click(await screen.findByTestId("shop-order-marketplace-link"));
  const detail = await screen.findByTestId("order-detail");
  await waitFor(() => expect(within(detail).getAllByTestId("line-status").length).toBeGreaterThan(0));
  return { user, detail };
}

const lineRow = (id: number) => document.querySelector(`[data-testid=order-line][data-line-id="${id}"]`) as HTMLElement;
const lineStatusOf = (id: number) => within(lineRow(id)).getByTestId<HTMLSelectElement>("line-status");
const selectedText = (select: HTMLSelectElement) => select.selectedOptions[0]?.textContent;

describe("a line's shop status", () => {
  it("each accepted line shows its status by name and changes it from its select", async () => {
    const { b, line } = withAccepted(lineStatus);
    const [pad, disc, arm] = [line("Brake pad"), line("Disc"), line("Arm")];
    const { user } = await openOrder(shopNumber(lineStatus, "Brake pad"));
    expect(selectedText(lineStatusOf(pad))).toBe("Accepted");
    expect(selectedText(lineStatusOf(disc))).toBe("Accepted");
    // Only accepted lines move through the shop's statuses.
    expect(within(lineRow(arm)).queryByTestId("line-status")).toBeNull();

    await user.selectOptions(lineStatusOf(pad), "2");
    expect(selectedText(lineStatusOf(pad))).toBe("Ordered from the supplier");
    expect(b.callsTo("set_line_status").map((c) => c.args)).toEqual([{ lines: [pad], statusId: 2 }]);
    expect(await screen.findByText("1 line → «Ordered from the supplier»")).toBeInTheDocument();
    await waitFor(() => expect(selectedText(lineStatusOf(pad))).toBe("Ordered from the supplier"));
    expect(selectedText(lineStatusOf(disc))).toBe("Accepted");
  });

  it("the order's bulk control moves the ticked lines, or all accepted ones when none is ticked", async () => {
    const { b, line } = withAccepted(lineStatusBulk);
    const [pad, disc] = [line("Brake pad"), line("Disc")];
    const { user, detail } = await openOrder(shopNumber(lineStatusBulk, "Brake pad"));
    const apply = within(detail).getByTestId("order-status-apply");
    expect(apply).toHaveTextContent("Set for all 2 accepted lines");
    expect(apply).toBeDisabled();
    await user.click(within(lineRow(disc)).getByTestId("line-select"));
    expect(apply).toHaveTextContent("Set for 1 ticked line");
    await user.selectOptions(within(detail).getByTestId("order-status-bulk"), "4");
    await user.click(apply);
    await waitFor(() => expect(selectedText(lineStatusOf(disc))).toBe("Shipped"));

    await user.click(within(lineRow(disc)).getByTestId("line-select"));
    await user.selectOptions(within(detail).getByTestId("order-status-bulk"), "5");
    await user.click(apply);
    await waitFor(() => expect(selectedText(lineStatusOf(pad))).toBe("Delivered"));
    expect(b.callsTo("set_line_status").map((c) => c.args)).toEqual([
      { lines: [disc], statusId: 4 },
      { lines: [pad, disc], statusId: 5 },
    ]);
  });

  it("says which configured updates were not sent, and why, until the manager dismisses it", async () => {
    const { line } = withAccepted(lineStatusNotSent);
    const filter = line("Oil filter");
    const number = details(lineStatusNotSent).find((d) => d.order.lines.some((l) => l.id === filter))?.order.number;
    const { user, detail } = await openOrder(shopNumber(lineStatusNotSent, "Oil filter"));
    // One accepted line: nothing to do in bulk.
    expect(within(detail).queryByTestId("order-status-bulk")).toBeNull();
    await user.selectOptions(lineStatusOf(filter), "2");

    const warning = await screen.findByTestId("warning-notice");
    expect(warning).toHaveTextContent("Not sent to the marketplace:");
    expect(within(warning).getAllByTestId("warning-item").map((li) => li.textContent)).toEqual([
      `Order ${number}: comment not sent: no value yet for: {tracking}`,
      `Order ${number}: the marketplace cannot be set to «ship» for single lines`,
    ]);
    // The order-level "ship" had nothing left to send: the posting was shipped when it was accepted,
    // so the marketplace order lists only that call, done. (When an order-level push goes out is
    // tested in Rust: core pushes, an_order_level_push_is_sent_once_the_order_reaches_the_status.)
    expect(within(detail).getAllByTestId("outbox-row").map((r) => r.getAttribute("data-state"))).not.toContain("pending");
    await user.click(within(warning).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByTestId("warning-notice")).toBeNull();
  });

  it("a refused change is shown and the line keeps its status", async () => {
    const { line } = withAccepted(lineStatusRefused);
    const pad = line("Brake pad");
    const { user } = await openOrder(shopNumber(lineStatusRefused, "Brake pad"));
    await user.selectOptions(lineStatusOf(pad), "3");
    expect(await screen.findByTestId("error-banner")).toBeInTheDocument();
    await waitFor(() => expect(selectedText(lineStatusOf(pad))).toBe("Accepted"));
  });
});
