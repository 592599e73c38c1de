// The inbox's lines under their orders: headers, J/K, a header's checkbox, the one-row toolbar.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { InboxLine } from "../bindings/InboxLine";
import type { InboxPage } from "../bindings/InboxPage";
import ozonInbox from "../test/fixtures/ozon_inbox.json";
import shipByFixture from "../test/fixtures/inbox_ship_by.json";
import { recorded, recordedFor, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { App } from "../App";
import { Inbox } from "./Inbox";

const rows = () => screen.queryAllByTestId("inbox-row");
const headers = () => screen.queryAllByTestId("inbox-order");
const header = (i: number) => headers()[i] as HTMLElement;
const cursor = () => document.querySelector("[data-cursor=true]");

async function openInbox() {
  // The engine's inbox: a one-product posting above a two-product one.
  const [one, two] = recorded<InboxPage>(ozonInbox, "inbox").lines;
  if (!one || !two) throw new Error("the recorded inbox has fewer than two orders");
  serveRecorded(ozonInbox);
  const user = userEvent.setup();
  const onOpenOrder = vi.fn();
  renderWithProviders(<Inbox onOpenOrder={onOpenOrder} />);
  await waitFor(() => expect(rows()).toHaveLength(3));
  return { user, one, two, onOpenOrder };
}

describe("the inbox groups lines under their order", () => {
  it("an order's header shows its whole number, marketplace, account, region and total once; its lines only the product", async () => {
    const { one, two } = await openInbox();
    expect(headers()).toHaveLength(2);
    expect(within(header(0)).getByTestId("inbox-order-number")).toHaveTextContent(one.order_number);
    expect(header(0)).toHaveTextContent("Ozon");
    expect(header(0)).toHaveTextContent(one.account);
    expect(header(1)).toHaveTextContent(two.order_region ?? "");
    // 481.00 × 2 + 1458.00 × 3
    expect(header(1).textContent?.replace(/\s/g, "")).toContain("5,336.00");
    // The order number is the header's; a line row no longer repeats it (but still carries it).
    const line = rows()[1] as HTMLElement;
    expect(line).toHaveAttribute("data-order-number", two.order_number);
    expect(line).not.toHaveTextContent(two.order_number);
    expect(line).toHaveTextContent(two.line.name);
    // Header, line, header, line, line.
    const order = [...document.querySelectorAll("[data-testid=inbox-order], [data-testid=inbox-row]")];
    expect(order.map((el) => el.getAttribute("data-testid"))).toEqual([
      "inbox-order",
      "inbox-row",
      "inbox-order",
      "inbox-row",
      "inbox-row",
    ]);
  });

  it("J/K move from order to order, j/k over the lines; x on a header selects its lines; Enter opens its order", async () => {
    const { user, one, onOpenOrder } = await openInbox();
    await user.keyboard("J");
    expect(cursor()).toBe(header(0));
    await user.keyboard("J");
    expect(cursor()).toBe(header(1));
    await user.keyboard("x");
    expect(header(1)).toHaveAttribute("data-selected", "all");
    expect(rows().map((r) => r.getAttribute("data-selected"))).toEqual(["false", "true", "true"]);
    expect(screen.getByTestId("inbox-toolbar")).toHaveTextContent("2 selected");
    await user.keyboard("j");
    expect(cursor()).toBe(rows()[1]);
    await user.keyboard("x");
    expect(header(1)).toHaveAttribute("data-selected", "some");
    expect((within(header(1)).getByTestId("order-select") as HTMLInputElement).indeterminate).toBe(true);
    await user.keyboard("K");
    expect(cursor()).toBe(header(1));
    await user.keyboard("K");
    expect(cursor()).toBe(header(0));
    await user.keyboard("{Enter}");
    expect(onOpenOrder).toHaveBeenCalledWith(one.order_id);
  });

  it("after a decision the cursor stays on the line it moved to, across a sync that lists an order above", async () => {
    const [one, twoA, twoB] = recorded<InboxPage>(ozonInbox, "inbox").lines;
    if (!one || !twoA || !twoB) throw new Error("the recorded inbox has fewer than three lines");
    // A new order's line, as a sync lists it at the top.
    const fresh: InboxLine = {
      ...one,
      line: { ...one.line, id: 9_001, external_id: "9001" },
      order_id: 9_000,
      order_number: "99999999-0001-1",
    };
    let listed = [one, twoA, twoB];
    const triage = vi.fn((args: Record<string, unknown>) => {
      const gone = new Set(args.lines as number[]);
      listed = listed.filter((l) => !gone.has(l.line.id));
      return { changed: args.lines, outbox_rows: [] };
    });
    const served = serveRecorded(ozonInbox, { inbox: () => ({ lines: structuredClone(listed), searched_to: null, lines_checked: 0 }), triage });
    const user = userEvent.setup();
    // The whole app: it is what turns the engine's events into refreshes.
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(3));

    // The first order's only line accepted: the cursor takes the next line, not the next order's
    // header (whose `a` would accept the whole order).
    await user.keyboard("ja");
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(cursor()).toBe(rows()[0]);
    expect(cursor()).toHaveAttribute("data-line-id", String(twoA.line.id));

    // A sync lists a new order above: the cursor stays on its line.
    listed = [fresh, twoA, twoB];
    await served.emit({ type: "orders_changed", account_id: null });
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(cursor()).toHaveAttribute("data-line-id", String(twoA.line.id));
    await user.keyboard("a");
    await waitFor(() => expect(triage).toHaveBeenCalledTimes(2));
    expect(triage.mock.calls.map((c) => (c[0] as { lines: number[] }).lines)).toEqual([[one.line.id], [twoA.line.id]]);
  });

  it("a bulk accept with offers keeps its lines away while it runs and reports what failed beside what it accepted", async () => {
    const [one, twoA, twoB] = recorded<InboxPage>(ozonInbox, "inbox").lines;
    const [withOffer] = recordedFor<InboxPage>(shipByFixture, "inbox").lines;
    const offer = withOffer?.best_offer;
    if (!one || !twoA || !twoB || !offer) throw new Error("the recorded inboxes lack lines or an offer");
    // Two lines shown with an offer, one without.
    let listed = [{ ...one, best_offer: offer }, { ...twoA, best_offer: offer }, twoB];
    const accept = (ids: number[]) => {
      listed = listed.filter((l) => !ids.includes(l.line.id));
      return { changed: ids, outbox_rows: [] };
    };
    let letFirstThrough = () => {};
    const firstHeld = new Promise<void>((resolve) => {
      letFirstThrough = resolve;
    });
    const triage = vi.fn((args: Record<string, unknown>) => accept(args.lines as number[]));
    const served = serveRecorded(
      ozonInbox,
      {
        inbox: () => ({ lines: structuredClone(listed), searched_to: null, lines_checked: 0 }),
        triage,
        accept_with_offer: (args) => {
          if (args.lineId === twoA.line.id) throw { code: "not_found", message: "The offer is gone", words: null };
          return accept([args.lineId as number]);
        },
      },
      { accept_with_offer: (args) => (args.lineId === one.line.id ? firstHeld : Promise.resolve()) },
    );
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(3));

    await user.keyboard("*a");
    await waitFor(() => expect(rows()).toHaveLength(0));
    // A sync's refresh while the first call is out lists all three as new: none comes back.
    await served.emit({ type: "orders_changed", account_id: null });
    await waitFor(() => expect(served.callsTo("inbox").length).toBeGreaterThan(1));
    expect(rows()).toHaveLength(0);

    letFirstThrough();
    // The failed line does not stop the one after it; the accepted ones keep their Undo.
    await waitFor(() => expect(triage).toHaveBeenCalledWith(expect.objectContaining({ lines: [twoB.line.id] })));
    expect(await screen.findByText("Accepted 2 lines")).toBeInTheDocument();
    expect(await screen.findByText("1 line was not accepted: The offer is gone")).toBeInTheDocument();
    // The line that failed is back in the inbox.
    await waitFor(() => expect(rows().map((r) => r.getAttribute("data-line-id"))).toEqual([String(twoA.line.id)]));
  });

  it("a click on a header's checkbox selects all its lines, and again none", async () => {
    const { user } = await openInbox();
    const box = within(header(1)).getByTestId("order-select");
    await user.click(box);
    expect(box).toBeChecked();
    expect(rows().map((r) => within(r).getByTestId("row-select") as HTMLInputElement).map((b) => b.checked)).toEqual([
      false,
      true,
      true,
    ]);
    await user.click(box);
    expect(rows().filter((r) => r.getAttribute("data-selected") === "true")).toHaveLength(0);
  });

  it("the toolbar is one row of short labels: the keys are in the ? overlay and the tooltips", async () => {
    const { user } = await openInbox();
    const bar = screen.getByRole("toolbar");
    expect(within(bar).queryAllByText((_, el) => el?.tagName === "KBD" && el.textContent !== "?")).toHaveLength(0);
    expect(within(bar).getByTestId("bulk-accept")).toHaveTextContent(/^Accept$/);
    expect(within(bar).getByTestId("bulk-accept")).toHaveAttribute("title", expect.stringContaining("(a)"));
    expect(within(bar).getByTestId("accept-with-offer")).toHaveTextContent(/^With offer…$/);
    await user.click(within(bar).getByTestId("inbox-keys"));
    const help = screen.getByRole("dialog");
    expect(help).toHaveTextContent("J / K");
    expect(help).toHaveTextContent("Next / previous order");
  });
});
