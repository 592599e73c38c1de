// Issue 19, points 2 and 3 in the inbox, on the engine's recorded answers (inbox_ship_by.json,
// ui_fixtures.rs `inbox_offers_and_ship_by`): the orders in the engine's order with their ship-by
// countdown, the sort switch, each line's inline offer or "no offer", the current line's candidates
// in the detail pane, and `a` accepting with the inline offer.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { InboxPage } from "../bindings/InboxPage";
import fixture from "../test/fixtures/inbox_ship_by.json";
import { recordedFor, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { Inbox } from "./Inbox";

/** Every time in the fixture reads as this instant (ui_fixtures.rs FIXED_TIME). */
const FIXED_TIME = "2026-03-02T09:30:00Z";
const rows = () => screen.queryAllByTestId("inbox-row");
const headers = () => screen.queryAllByTestId("inbox-order");
const numbers = () => headers().map((h) => h.getAttribute("data-order-number"));

async function openInbox(overrides = {}) {
  // The inbox as the window first asks for it (recorded with no arguments: the default order).
  const lines = recordedFor<InboxPage>(fixture, "inbox").lines;
  const served = serveRecorded(fixture, overrides);
  const user = userEvent.setup();
  renderWithProviders(<Inbox onOpenOrder={vi.fn()} />);
  await waitFor(() => expect(rows()).toHaveLength(2));
  return { user, served, lines };
}

describe("the inbox: ship-by and inline offers", () => {
  beforeEach(() => {
    // The countdown counts from three hours before the fixture's deadlines.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(new Date(FIXED_TIME).getTime() - 3 * 3600_000));
  });
  afterEach(() => vi.useRealTimers());

  it("lists the orders in the engine's order, most urgent first by default, each with its countdown", async () => {
    const { served } = await openInbox();
    const ordered = recordedFor<InboxPage>(fixture, "inbox").lines;
    expect(ordered[0]?.best_offer).not.toBeNull();
    expect(numbers()).toEqual(ordered.map((l) => l.order_number));
    expect(served.callsTo("inbox")[0]?.args).toMatchObject({ query: { sort: "ship_by", state: "new" } });
    const countdown = within(headers()[0] as HTMLElement).getByTestId("order-ship-by");
    expect(countdown).toHaveTextContent(/^in 3 hr\.?$/);
    expect(countdown.getAttribute("title")).toMatch(/^Ship by in 3 hr\.?: /);
    expect(countdown).toHaveAttribute("data-overdue", "false");
    expect(countdown).toHaveClass("badge-warning");
  });

  it("shows an overdue order as overdue", async () => {
    vi.setSystemTime(new Date(new Date(FIXED_TIME).getTime() + 2 * 3600_000));
    await openInbox();
    const countdown = within(headers()[0] as HTMLElement).getByTestId("order-ship-by");
    expect(countdown).toHaveTextContent(/^2 hr\.? ago$/);
    expect(countdown.getAttribute("title")).toMatch(/^Overdue 2 hr\.? ago: /);
    expect(countdown).toHaveAttribute("data-overdue", "true");
    expect(countdown).toHaveClass("badge-error");
  });

  it("the sort switch asks the engine for the newest first and shows its order", async () => {
    const { user, served } = await openInbox();
    const before = numbers();
    await user.selectOptions(screen.getByTestId("inbox-sort"), "newest");
    await waitFor(() => expect(numbers()).toEqual([...before].reverse()));
    expect(served.callsTo("inbox").at(-1)?.args).toMatchObject({ query: { sort: "newest" } });
  });

  it("each line shows its best offer (list, price, stock, delivery, margin) or no offer in red", async () => {
    const { lines } = await openInbox();
    const [withOffer, without] = lines;
    const best = withOffer?.best_offer;
    if (!withOffer || !without || !best) throw new Error("the recorded inbox has no line with an offer first");
    const [first, second] = rows().map((r) => within(r).getByTestId("inline-offer"));
    expect(first).toHaveAttribute("data-offer-id", String(best.offer.id));
    expect(first).toHaveTextContent("Supplier A");
    expect(first).toHaveTextContent("1,200.00");
    expect(first).toHaveTextContent("stock 4");
    expect(first).toHaveTextContent("2 days");
    expect(first).toHaveTextContent(/margin -?\d/);
    expect(second).toHaveTextContent("no offer");
    expect(second).toHaveClass("error-text");
  });

  it("a accepts the current line with the offer shown; o still opens the full choice", async () => {
    const { user, served, lines } = await openInbox();
    const best = lines[0]?.best_offer;
    if (!best) throw new Error("no offer recorded");
    await user.click(rows()[0] as HTMLElement);
    await user.keyboard("o");
    expect(await screen.findByTestId("offer-panel")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    await user.keyboard("a");
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(served.callsTo("accept_with_offer")).toEqual([
      { cmd: "accept_with_offer", args: { lineId: lines[0]?.line.id, binding: { offer_id: best.offer.id, quantity: null, price: null } } },
    ]);
    expect(served.callsTo("triage")).toHaveLength(0);
  });

  it("the detail pane lists the current line's candidate offers, the one a takes marked; none in red", async () => {
    const { user, lines } = await openInbox();
    const best = lines[0]?.best_offer;
    if (!best) throw new Error("no offer recorded");
    expect(screen.getByTestId("inbox-detail")).toHaveTextContent("Move to a line (j / k)");
    await user.click(rows()[0] as HTMLElement);
    const pane = await screen.findByTestId("line-offers");
    const offers = await within(pane).findAllByTestId("line-offer");
    expect(offers.map((o) => o.getAttribute("data-offer-id"))).toEqual([String(best.offer.id)]);
    expect(offers[0]).toHaveAttribute("data-best", "true");
    expect(offers[0]).toHaveTextContent("Supplier A");
    expect(offers[0]).toHaveTextContent("1,200.00");
    expect(offers[0]).toHaveTextContent("stock 4");
    expect(pane).toHaveTextContent(lines[0]?.line.name ?? "");

    await user.keyboard("j");
    await waitFor(() => expect(screen.getByTestId("line-offers")).toHaveTextContent(lines[1]?.line.name ?? ""));
    const none = await within(screen.getByTestId("line-offers")).findByText("No price list has an offer for this line.");
    expect(none).toHaveClass("error-text");
    expect(within(screen.getByTestId("line-offers")).queryAllByTestId("line-offer")).toHaveLength(0);
  });

  it("a accepts a line without an offer plainly", async () => {
    const triage = vi.fn((args: Record<string, unknown>) => ({ changed: args.lines, outbox_rows: [] }));
    const { user, lines } = await openInbox({ triage });
    await user.click(rows()[1] as HTMLElement);
    await user.keyboard("a");
    await waitFor(() => expect(triage).toHaveBeenCalledWith(expect.objectContaining({ lines: [lines[1]?.line.id], action: "accept" })));
  });
});
