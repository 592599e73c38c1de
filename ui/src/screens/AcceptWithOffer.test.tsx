import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { InboxPage } from "../bindings/InboxPage";
import type { OfferMatch } from "../bindings/OfferMatch";
import type { OfferView } from "../bindings/OfferView";
import offersFixture from "../test/fixtures/offers.json";
import offersGone from "../test/fixtures/offers_gone.json";
import offersSearch from "../test/fixtures/offers_search.json";
import rulesProcessed from "../test/fixtures/rules_processed.json";
import { type Fixture, recordedFor, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

const rows = () => screen.queryAllByTestId("inbox-row");
const rowIds = () => rows().map((r) => Number(r.getAttribute("data-line-id")));
const offerIds = () => screen.getAllByTestId("offer-row").map((r) => Number(r.getAttribute("data-offer-id")));

/**
 * The engine's scenario (ui_fixtures.rs, offers_world): "Brake pad" (ART-1, SKU 1001, 1530 RUB)
 * above "Oil filter", which has no offer. Brake pad's offers: BOSCH ART-1 1200 in Supplier A
 * (5 days); in Supplier B Mann "art 1" 1300 (1 day) and Febi 1001 1100 (by SKU, no delivery time).
 * Supplier B also has Mann W-712 at 300.
 */
function scenario(fixture: Fixture) {
  const [brakePad, oilFilter] = recordedFor<InboxPage>(fixture, "inbox").lines.map((l) => l.line.id) as [number, number];
  const matches = recordedFor<OfferMatch[]>(fixture, "line_offers", { lineId: brakePad });
  const offer = (brand: string, article: string) => {
    const found = matches.find((m) => m.offer.brand === brand && m.offer.article === article)?.offer;
    if (!found) throw new Error(`no recorded offer ${brand} ${article}`);
    return found.id;
  };
  const searched = recordedFor<OfferView[]>(fixture, "search_offers", { text: "w-712", limit: 50 });
  return {
    brakePad,
    oilFilter,
    bosch: offer("BOSCH", "ART-1"),
    mann: offer("Mann", "art 1"),
    febi: offer("Febi", "1001"),
    w712: searched[0]?.id,
  };
}

async function openInbox() {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await waitFor(() => expect(rows()).toHaveLength(2));
  return user;
}

describe("accepting with an offer", () => {
  it("o lists the line's offers cheapest first with margins; s sorts by delivery; Enter accepts the chosen one", async () => {
    const { brakePad, oilFilter, bosch, mann, febi } = scenario(offersFixture);
    const engine = serveRecorded(offersFixture);
    const user = await openInbox();
    await user.click(rows()[0] as HTMLElement);
    await user.keyboard("o");
    const panel = await screen.findByTestId("offer-panel");
    await waitFor(() => expect(offerIds()).toEqual([febi, bosch, mann]));
    expect(engine.callsTo("line_offers").map((c) => c.args)).toEqual([{ lineId: brakePad }]);
    const first = within(panel).getAllByTestId("offer-row")[0] as HTMLElement;
    expect(first).toHaveTextContent("Febi");
    expect(first).toHaveTextContent("39.1%");
    expect(first).toHaveTextContent("by SKU");
    expect(first).toHaveAttribute("data-cursor", "true");

    await user.keyboard("s");
    expect(offerIds()).toEqual([mann, bosch, febi]);
    // With a Russian layout on, the same physical keys: s comes as «ы», j as «о».
    fireEvent.keyDown(window, { key: "ы", code: "KeyS" });
    expect(offerIds()).toEqual([febi, bosch, mann]);
    fireEvent.keyDown(window, { key: "ы", code: "KeyS" });
    expect(offerIds()).toEqual([mann, bosch, febi]);
    fireEvent.keyDown(window, { key: "о", code: "KeyJ" });
    expect(screen.getAllByTestId("offer-row")[1]).toHaveAttribute("data-cursor", "true");
    // The panel owns the keys: "a" does not triage the line behind it.
    await user.keyboard("a");
    expect(engine.callsTo("triage")).toHaveLength(0);

    await user.type(within(panel).getByTestId("offer-quantity"), "2");
    await user.type(within(panel).getByTestId("offer-price"), "1150,5{Enter}");
    await waitFor(() => expect(screen.queryByTestId("offer-panel")).toBeNull());
    expect(engine.callsTo("accept_with_offer").map((c) => c.args)).toEqual([
      { lineId: brakePad, binding: { offer_id: bosch, quantity: 2, price: "1150.5" } },
    ]);
    await waitFor(() => expect(rowIds()).toEqual([oilFilter]));
    expect(await screen.findByTestId("toast")).toHaveTextContent("Accepted with BOSCH ART-1 · Supplier A");

    // The accepted line shows what it was accepted with, in the list and in its order.
    await user.click(screen.getByTestId("inbox-view-accepted"));
    await waitFor(() => expect(rowIds()).toEqual([brakePad]));
    expect(within(rows()[0] as HTMLElement).getByTestId("bound-offer")).toHaveTextContent(
      /BOSCH ART-1 · Supplier A · .*1,150\.50 × 2/,
    );
    await user.click(rows()[0] as HTMLElement);
    const detail = await screen.findByTestId("order-detail");
    await waitFor(() => expect(within(detail).getByTestId("bound-offer")).toHaveTextContent("BOSCH ART-1 · Supplier A"));
  });

  it("the button opens it too; Esc closes it without accepting", async () => {
    const { brakePad, oilFilter } = scenario(offersFixture);
    const engine = serveRecorded(offersFixture);
    const user = await openInbox();
    expect(screen.getByTestId("accept-with-offer")).toBeDisabled();
    await user.click(rows()[0] as HTMLElement);
    await user.click(screen.getByTestId("accept-with-offer"));
    await screen.findByTestId("offer-panel");
    await waitFor(() => expect(offerIds()).toHaveLength(3));
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("offer-panel")).toBeNull();
    expect(engine.callsTo("accept_with_offer")).toHaveLength(0);
    expect(rowIds()).toEqual([brakePad, oilFilter]);
  });

  it("with no matching offer, finds one by search and accepts it with the ordered quantity", async () => {
    const { brakePad, oilFilter, w712 } = scenario(offersSearch);
    const engine = serveRecorded(offersSearch);
    const user = await openInbox();
    await user.click(rows()[1] as HTMLElement);
    await user.keyboard("o");
    const search = await screen.findByTestId("offer-panel-search");
    expect(search).toHaveFocus();
    await user.type(search, "w-712");
    await waitFor(() => expect(offerIds()).toEqual([w712]));
    expect(screen.getByTestId("offer-row")).toHaveTextContent("410%");
    expect(screen.getByTestId("offer-row")).toHaveTextContent("by search");
    // A wrong quantity is refused before anything is sent.
    await user.type(screen.getByTestId("offer-quantity"), "0");
    await user.click(screen.getByTestId("offer-bind"));
    expect(await screen.findByRole("alert")).toHaveTextContent("The quantity must be a whole number, at least 1.");
    expect(engine.callsTo("accept_with_offer")).toHaveLength(0);
    await user.clear(screen.getByTestId("offer-quantity"));
    await user.click(screen.getByTestId("offer-bind"));
    await waitFor(() => expect(rowIds()).toEqual([brakePad]));
    expect(engine.callsTo("accept_with_offer").map((c) => c.args)).toEqual([
      { lineId: oilFilter, binding: { offer_id: w712, quantity: null, price: null } },
    ]);
  });

  it("shows the engine's refusal and keeps the panel open", async () => {
    // Supplier B was imported again after the panel listed its offers.
    const { brakePad, oilFilter } = scenario(offersGone);
    const refusal = offersGone.answers.find((a) => a.cmd === "accept_with_offer")?.error;
    if (!refusal) throw new Error("the scenario records the refusal");
    expect(refusal.message).toContain("The offer is gone");
    serveRecorded(offersGone);
    const user = await openInbox();
    await user.click(rows()[0] as HTMLElement);
    await user.keyboard("o");
    await waitFor(() => expect(offerIds()).toHaveLength(3));
    await user.keyboard("{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent(refusal.message);
    expect(screen.getByTestId("offer-panel")).toBeInTheDocument();
    expect(rowIds()).toEqual([brakePad, oilFilter]);
  });

  it("lists the key in the keyboard help", async () => {
    serveRecorded(offersFixture);
    const user = await openInbox();
    await user.keyboard("?");
    const help = await screen.findByRole("dialog");
    expect(help).toHaveTextContent("Accept the current line with an offer from the price lists");
  });
});

describe("the Processed view", () => {
  it("lists the lines rules decided, with the rule and what it did", async () => {
    // ui_fixtures.rs, rules_processed: Shop A's rules accepted "Brake pad" with BOSCH ART-1 from
    // Supplier A ("Cheap Bosch") and rejected "Disc" and "Arm" ("Reject the rest").
    const processed = recordedFor<InboxPage>(rulesProcessed, "inbox", {
      query: { account_id: null, state: "new", limit: 200, after: null, processed: true, sort: "ship_by", search: null },
    }).lines;
    const idOf = (name: string) => processed.find((l) => l.line.name === name)?.line.id;
    const engine = serveRecorded(rulesProcessed);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    expect(await screen.findByTestId("inbox-empty")).toBeInTheDocument();
    await user.click(screen.getByTestId("view-processed"));
    await waitFor(() => expect(rowIds()).toEqual(processed.map((l) => l.line.id)));
    expect(engine.callsTo("inbox").at(-1)?.args).toEqual({ query: { account_id: null, state: "new", limit: 200, after: null, processed: true, sort: "ship_by", search: null } });
    const rowOf = (name: string) => rows().find((r) => Number(r.getAttribute("data-line-id")) === idOf(name)) as HTMLElement;
    expect(within(rowOf("Brake pad")).getByTestId("rule-decision")).toHaveTextContent("Rule «Cheap Bosch» accepted it");
    expect(within(rowOf("Brake pad")).getByTestId("bound-offer")).toHaveTextContent("BOSCH ART-1 · Supplier A");
    expect(within(rowOf("Arm")).getByTestId("rule-decision")).toHaveTextContent("Rule «Reject the rest» rejected it");
    // Decided lines are read-only here.
    expect(screen.queryByTestId("bulk-accept")).toBeNull();
    expect(screen.queryByTestId("accept-with-offer")).toBeNull();
  });
});
