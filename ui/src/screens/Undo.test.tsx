import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { FakeBackend, accountView, inboxLine, offerView, priceListView } from "../test/backend";
import { renderWithProviders } from "../test/render";

const rows = () => screen.queryAllByTestId("inbox-row");
const rowIds = () => rows().map((r) => Number(r.getAttribute("data-line-id")));
const row = (i: number) => rows()[i] as HTMLElement;
const toasts = () => screen.queryAllByTestId("toast");

/** Lines 1 and 2 are one order, line 3 another; line 1 has an offer in Supplier A. */
function withInbox(): FakeBackend {
  const b = new FakeBackend();
  b.accounts = [accountView(1, "Shop A")];
  b.lines = [inboxLine(1, "0570-0029-1", "Brake pad"), inboxLine(2, "0570-0029-1", "Disc"), inboxLine(3, "0571-0001-1", "Arm")];
  const list = priceListView(1, "Supplier A");
  b.priceLists = [list];
  b.offers = [offerView(11, list, { brand: "BOSCH", article: "ART-1", price: "1200.00" })];
  return b.install();
}

async function openInbox() {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await waitFor(() => expect(rows()).toHaveLength(3));
  return user;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("undo", () => {
  it("a decision's notice offers Undo; it brings the lines back and says so", async () => {
    const b = withInbox();
    const user = await openInbox();
    await user.click(row(0));
    await user.keyboard("xjxa");
    await waitFor(() => expect(rowIds()).toEqual([3]));
    const notice = await screen.findByText("Accepted 2 lines");
    const toast = notice.closest("[data-testid=toast]") as HTMLElement;
    await user.click(within(toast).getByTestId("undo"));

    await waitFor(() => expect(rowIds()).toEqual([1, 2, 3]));
    expect(b.callsTo("undo_triage").map((c) => c.args)).toEqual([{ lines: [1, 2] }]);
    expect(await screen.findByText("Undone: 2 lines are back in the inbox")).toBeInTheDocument();
    // The decision's notice is gone with its Undo: a decision is taken back once.
    expect(screen.queryByTestId("undo")).toBeNull();
    expect(b.lines.map((l) => [l.line.state, l.line.shop_status_id])).toEqual([
      ["new", null],
      ["new", null],
      ["new", null],
    ]);
  });

  it("z takes back the last decision, Ctrl+Z the one before; each only once", async () => {
    const b = withInbox();
    const user = await openInbox();
    await user.click(row(2));
    await user.keyboard("r");
    await waitFor(() => expect(rowIds()).toEqual([1, 2]));
    await user.click(row(1));
    await user.keyboard("{Delete}");
    await waitFor(() => expect(rowIds()).toEqual([1]));
    expect(screen.getAllByTestId("undo")).toHaveLength(2);

    await user.keyboard("z");
    await waitFor(() => expect(rowIds()).toEqual([1, 2]));
    expect(b.callsTo("undo_triage").map((c) => c.args)).toEqual([{ lines: [2] }]);
    await user.keyboard("{Control>}z{/Control}");
    await waitFor(() => expect(rowIds()).toEqual([1, 2, 3]));
    expect(b.callsTo("undo_triage").map((c) => c.args)).toEqual([{ lines: [2] }, { lines: [3] }]);
    // Nothing left to undo: the key does nothing.
    await user.keyboard("z");
    expect(b.callsTo("undo_triage")).toHaveLength(2);
  });

  it("once the calls went out, Undo says so and the lines stay decided", async () => {
    const b = withInbox();
    const user = await openInbox();
    await user.click(row(2));
    await user.keyboard("a");
    await waitFor(() => expect(rowIds()).toEqual([1, 2]));
    b.sendHeldCalls();
    await user.click(await screen.findByTestId("undo"));
    expect(await screen.findByTestId("error-banner")).toHaveTextContent(
      "Line «Arm» was already sent to the marketplace and cannot be undone",
    );
    expect(rowIds()).toEqual([1, 2]);
    expect(b.lines[2]?.line.state).toBe("accepted");
  });

  it("accepting with an offer can be undone too, dropping the offer", async () => {
    const b = withInbox();
    const user = await openInbox();
    await user.click(row(0));
    await user.keyboard("o");
    await screen.findByTestId("offer-panel");
    await waitFor(() => expect(screen.getAllByTestId("offer-row")).toHaveLength(1));
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.queryByTestId("offer-panel")).toBeNull());
    const toast = (await screen.findByText(/Accepted with BOSCH ART-1/)).closest("[data-testid=toast]") as HTMLElement;
    expect(within(toast).getByTestId("undo")).toBeInTheDocument();
    expect(b.lines[0]?.line.bound_offer).not.toBeNull();

    await user.keyboard("z");
    await waitFor(() => expect(rowIds()).toEqual([1, 2, 3]));
    expect(b.callsTo("undo_triage").map((c) => c.args)).toEqual([{ lines: [1] }]);
    expect(b.lines[0]?.line.bound_offer).toBeNull();
  });

  it("restoring a deleted line sends nothing, so it offers no Undo", async () => {
    const b = withInbox();
    const first = b.lines[0];
    if (first) first.line.state = "deleted";
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    await user.click(screen.getByTestId("inbox-deleted-toggle"));
    await waitFor(() => expect(rowIds()).toEqual([1]));
    await user.click(screen.getByTestId("row-restore"));
    expect(await screen.findByText("Restored 1 line")).toBeInTheDocument();
    expect(screen.queryByTestId("undo")).toBeNull();
  });

  it("Undo is offered for the 6 seconds the engine holds the calls, then goes", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const b = withInbox();
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    await user.click(row(2));
    await user.keyboard("r");
    expect(await screen.findByTestId("undo")).toBeInTheDocument();
    act(() => {
      vi.advanceTimersByTime(5_000);
    });
    expect(screen.getByTestId("undo")).toBeInTheDocument();
    act(() => {
      vi.advanceTimersByTime(1_100);
    });
    expect(screen.queryByTestId("undo")).toBeNull();
    expect(toasts()).toHaveLength(0);
    await user.keyboard("z");
    expect(b.callsTo("undo_triage")).toHaveLength(0);
  });

  it("the keyboard help lists z", async () => {
    withInbox();
    const user = await openInbox();
    await user.keyboard("?");
    const help = await screen.findByRole("dialog");
    expect(help).toHaveTextContent("z, Ctrl+Z");
    expect(help).toHaveTextContent("Undo the last decision");
  });
});
