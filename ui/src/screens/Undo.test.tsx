import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import type { InboxPage } from "../bindings/InboxPage";
import type { OfferMatch } from "../bindings/OfferMatch";
import type { TriageReport } from "../bindings/TriageReport";
import ozonInbox from "../test/fixtures/ozon_inbox.json";
import undoAccept from "../test/fixtures/undo_accept.json";
import undoOffer from "../test/fixtures/undo_offer.json";
import undoRestore from "../test/fixtures/undo_restore.json";
import undoSent from "../test/fixtures/undo_sent.json";
import undoTwice from "../test/fixtures/undo_twice.json";
import { type Fixture, recorded, recordedFor, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

const rows = () => screen.queryAllByTestId("inbox-row");
const rowIds = () => rows().map((r) => Number(r.getAttribute("data-line-id")));
const row = (i: number) => rows()[i] as HTMLElement;
const toasts = () => screen.queryAllByTestId("toast");

/**
 * The engine's inbox in these scenarios (src-tauri/crates/engine/tests/ui_fixtures.rs, undo_*):
 * a posting of two products and one of one, newest first; decisions held for the undo window.
 */
const lineIds = (fixture: Fixture) => recordedFor<InboxPage>(fixture, "inbox").lines.map((l) => l.line.id);

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
    const [first, second, third] = lineIds(undoAccept);
    const engine = serveRecorded(undoAccept);
    const user = await openInbox();
    await user.click(row(0));
    await user.keyboard("xjxa");
    await waitFor(() => expect(rowIds()).toEqual([third]));
    const notice = await screen.findByText("Accepted 2 lines");
    const toast = notice.closest("[data-testid=toast]") as HTMLElement;
    await user.click(within(toast).getByTestId("undo"));

    await waitFor(() => expect(rowIds()).toEqual([first, second, third]));
    // The lines the engine said it changed.
    const { changed } = recordedFor<TriageReport>(undoAccept, "triage", { lines: [first, second], action: "accept" });
    expect(new Set(changed)).toEqual(new Set([first, second]));
    expect(engine.callsTo("undo_triage").map((c) => c.args)).toEqual([{ lines: changed }]);
    expect(await screen.findByText("Undone: 2 lines are back in the inbox")).toBeInTheDocument();
    // The decision's notice is gone with its Undo: a decision is taken back once.
    expect(screen.queryByTestId("undo")).toBeNull();
    // That the undone lines are new again, without status, is the engine's (Rust test
    // triage_rules::a_decision_can_be_undone_until_its_call_goes_out).
  });

  it("z takes back the last decision, Ctrl+Z the one before; each only once", async () => {
    const [first, second, third] = lineIds(undoTwice);
    const engine = serveRecorded(undoTwice);
    const user = await openInbox();
    await user.click(row(2));
    await user.keyboard("r");
    await waitFor(() => expect(rowIds()).toEqual([first, second]));
    await user.click(row(1));
    await user.keyboard("{Delete}");
    await waitFor(() => expect(rowIds()).toEqual([first]));
    expect(screen.getAllByTestId("undo")).toHaveLength(2);

    await user.keyboard("z");
    await waitFor(() => expect(rowIds()).toEqual([first, second]));
    expect(engine.callsTo("undo_triage").map((c) => c.args)).toEqual([{ lines: [second] }]);
    await user.keyboard("{Control>}z{/Control}");
    await waitFor(() => expect(rowIds()).toEqual([first, second, third]));
    expect(engine.callsTo("undo_triage").map((c) => c.args)).toEqual([{ lines: [second] }, { lines: [third] }]);
    // Nothing left to undo: the key does nothing.
    await user.keyboard("z");
    expect(engine.callsTo("undo_triage")).toHaveLength(2);
  });

  it("once the calls went out, Undo says so and the lines stay decided", async () => {
    // The first line is a posting of its own: accepting it ships the posting.
    const [, second, third] = lineIds(undoSent);
    const refusal = undoSent.answers.find((a) => a.cmd === "undo_triage")?.error;
    if (!refusal) throw new Error("the scenario records the refusal");
    expect(refusal.message).toContain("already sent to the marketplace");
    const engine = serveRecorded(undoSent);
    const user = await openInbox();
    await user.click(row(0));
    await user.keyboard("a");
    await waitFor(() => expect(rowIds()).toEqual([second, third]));
    // The hold is over: the engine sent the accepted line's call.
    engine.advance();
    await user.click(await screen.findByTestId("undo"));
    expect(await screen.findByTestId("error-banner")).toHaveTextContent(refusal.message);
    expect(rowIds()).toEqual([second, third]);
  });

  it("accepting with an offer can be undone too, dropping the offer", async () => {
    const [first, second, third] = lineIds(undoOffer);
    const [match] = recorded<OfferMatch[]>(undoOffer, "line_offers");
    if (!match) throw new Error("the scenario records an offer for the first line");
    const engine = serveRecorded(undoOffer);
    const user = await openInbox();
    await user.click(row(0));
    await user.keyboard("o");
    await screen.findByTestId("offer-panel");
    await waitFor(() => expect(screen.getAllByTestId("offer-row")).toHaveLength(1));
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.queryByTestId("offer-panel")).toBeNull());
    expect(engine.callsTo("accept_with_offer").map((c) => c.args)).toEqual([
      { lineId: first, binding: { offer_id: match.offer.id, quantity: null, price: null } },
    ]);
    const accepted = `Accepted with ${match.offer.brand} ${match.offer.article}`;
    const toast = (await screen.findByText(new RegExp(accepted))).closest("[data-testid=toast]") as HTMLElement;
    expect(within(toast).getByTestId("undo")).toBeInTheDocument();

    await user.keyboard("z");
    await waitFor(() => expect(rowIds()).toEqual([first, second, third]));
    expect(engine.callsTo("undo_triage").map((c) => c.args)).toEqual([{ lines: [first] }]);
    // That the undone line's offer is dropped is the engine's (Rust test
    // triage_rules::a_decision_can_be_undone_until_its_call_goes_out and the store's undo).
  });

  it("restoring a deleted line sends nothing, so it offers no Undo", async () => {
    const deleted = recordedFor<InboxPage>(undoRestore, "inbox", {
      query: { account_id: null, state: "deleted", limit: 200, after: null, processed: false, sort: "ship_by", search: null },
    }).lines;
    const [restored] = deleted.map((l) => l.line.id);
    const engine = serveRecorded(undoRestore);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    await user.click(screen.getByTestId("inbox-deleted-toggle"));
    await waitFor(() => expect(rowIds()).toEqual([restored]));
    await user.click(screen.getByTestId("row-restore"));
    expect(await screen.findByText("Restored 1 line")).toBeInTheDocument();
    expect(engine.callsTo("triage").map((c) => c.args)).toEqual([{ lines: [restored], action: "restore" }]);
    expect(screen.queryByTestId("undo")).toBeNull();
  });

  it("Undo is offered for the 6 seconds the engine holds the calls, then goes", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    // The scenario's first decision rejects the third line.
    const engine = serveRecorded(undoTwice);
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
    expect(engine.callsTo("undo_triage")).toHaveLength(0);
  });

  it("the keyboard help lists z", async () => {
    serveRecorded(ozonInbox);
    const user = await openInbox();
    await user.keyboard("?");
    const help = await screen.findByRole("dialog");
    expect(help).toHaveTextContent("z, Ctrl+Z");
    expect(help).toHaveTextContent("Undo the last decision");
  });
});
