import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { OrderDetail } from "../bindings/OrderDetail";
import type { ShopOrderFull } from "../bindings/ShopOrderFull";
import all from "../test/fixtures/shop_orders_all.json";
import deleted from "../test/fixtures/shop_order_deleted.json";
import status from "../test/fixtures/shop_order_status.json";
import tracking from "../test/fixtures/shop_order_tracking.json";
import trackingRefused from "../test/fixtures/shop_order_tracking_refused.json";
import transferred from "../test/fixtures/shop_order_transferred.json";
import { type Fixture, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { parcelOnItsWay, shiptorTarget } from "../test/transfers";

/**
 * The engine's scenarios (ui_fixtures.rs, shop_orders_world): shop orders from an Ozon posting the
 * seller ships (its product named with HTML), made by hand (SO-2, by courier, prepaid), made by
 * hand and transferred to RetailCRM (SO-6), from a realFBS posting, from a posting Ozon delivers
 * and from an FBO posting (read-only). Which orders take a tracking number, and what deleting and
 * purging do, is tested in Rust (engine cabinet and ozon_options tests).
 */
const orders = (fixture: Fixture) =>
  fixture.answers.filter((a) => a.cmd === "shop_order_full" && a.step === 0).map((a) => a.ok as ShopOrderFull);
function order(fixture: Fixture, which: (o: ShopOrderFull) => boolean): ShopOrderFull {
  const found = orders(fixture).find(which);
  if (!found) throw new Error("the scenario records that order");
  return found;
}
const numbered = (number: string) => (o: ShopOrderFull) => o.draft.number === number;
const fromOzon = (o: ShopOrderFull) => o.account_kind === "ozon" && o.draft.items.some((i) => i.name.includes("<b>"));
const realFbs = (o: ShopOrderFull) => o.extra?.tpl_integration_type === "non_integrated";
const ozonDelivers = (o: ShopOrderFull) =>
  o.extra?.tpl_integration_type === "ozon" && !o.read_only && !o.draft.items.some((i) => i.name.includes("<b>"));
const fbo = (o: ShopOrderFull) => o.read_only;

async function openOrder(fixture: Fixture, number: string) {
  const b = serveRecorded(fixture);
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-orders"));
  await user.click(await screen.findByTestId("cabinet-stat-all"));
  // The list is read after the start's reads: on a loaded machine that takes a moment.
  await user.click(await screen.findByRole("button", { name: number }, { timeout: 5_000 }));
  await waitFor(() => expect(screen.getByTestId("shop-order-number")).toHaveTextContent(number));
  return { b, user };
}

describe("a shop order", () => {
  it("shows every field, its items and the whole history as text; its marketplace order opens, and Back returns", async () => {
    const so = order(all, fromOzon);
    const detail = all.answers.find((a) => a.cmd === "order_detail" && (a.ok as OrderDetail).order.id === so.source_order_id)
      ?.ok as OrderDetail;
    const { b, user } = await openOrder(all, so.draft.number);
    const page = screen.getByTestId("shop-order");
    expect(b.callsTo("shop_order_full").map((c) => c.args)).toEqual([{ id: so.id }]);
    expect(within(page).getByTestId("shop-order-item")).toHaveTextContent("<b>Brake</b> pad");
    const events = within(page).getAllByTestId("timeline-event");
    expect(events).toHaveLength(so.timeline.length);
    expect(events.length).toBeGreaterThan(0);
    // Marketplace words are text, never markup.
    expect(page.querySelector("b")).toBeNull();

    await user.click(within(page).getByTestId("shop-order-marketplace-link"));
    const shown = await screen.findByTestId("order-detail");
    expect(within(shown).getByTestId("order-number")).toHaveTextContent(detail.order.number);
    expect(screen.getByTestId("nav-orders")).toHaveClass("active");
    await user.click(within(shown).getByText(/Back/));
    await waitFor(() => expect(screen.getByTestId("shop-order-number")).toHaveTextContent(so.draft.number));
  });

  it("in the form, an item of the marketplace's order has no Remove: it follows its line", async () => {
    const so = order(all, realFbs);
    const { user } = await openOrder(all, so.draft.number);
    await user.click(await screen.findByTestId("shop-order-edit"));
    expect(await screen.findByTestId("item-0-quantity")).toBeInTheDocument();
    expect(so.draft.items[0]?.line_id).toEqual(expect.any(Number));
    expect(screen.queryByTestId("item-0-remove")).toBeNull();
  });

  it("changes its status by hand, never to «Transferred» (nor «Deleted»: that is Delete)", async () => {
    const so2 = order(status, numbered("SO-2"));
    const { b, user } = await openOrder(status, "SO-2");
    const page = screen.getByTestId("shop-order");
    expect(within(page).getByTestId("shop-order-recipient")).toHaveTextContent("Recipient SO-2");
    expect(within(page).getByTestId("shop-order-recipient")).toHaveTextContent("101000, Москва, ул. Тверская, д. 1");
    expect(within(page).getByTestId("shop-order-item")).toHaveTextContent("BOSCH");
    expect(within(page).getByTestId("shop-order-total")).toHaveTextContent("2,350.00");
    expect(page).toHaveTextContent("Курьер");
    expect(page).toHaveTextContent("Prepaid");
    const select = screen.getByTestId("shop-order-status");
    const options = within(select).getAllByRole("option").map((o) => o.textContent);
    expect(options).not.toContain("Transferred");
    expect(options).not.toContain("Deleted");
    expect(options).toContain("Delivered");
    await user.selectOptions(select, "2");
    expect(await screen.findByText("Status → «Ordered from the supplier»")).toBeInTheDocument();
    expect(b.callsTo("set_shop_order_status").map((c) => c.args)).toEqual([{ ids: [so2.id], statusId: 2 }]);
    await waitFor(() => expect(screen.getByTestId("shop-order-status")).toHaveValue("2"));
  });

  it("a transferred order shows its status but offers it no more, and warns before it is deleted", async () => {
    const so6 = order(transferred, numbered("SO-6"));
    const { b, user } = await openOrder(transferred, "SO-6");
    expect(screen.getByTestId("shop-order-transferred")).toHaveTextContent("RetailCRM");
    expect(screen.getByTestId("shop-order-status")).toHaveValue("9");
    expect(screen.getByTestId("shop-order-status")).toBeDisabled();
    await user.click(screen.getByTestId("shop-order-delete"));
    expect(screen.getByTestId("shop-order-delete-warning")).toHaveTextContent("Order SO-6 was transferred to RetailCRM.");
    await user.click(screen.getByTestId("shop-order-delete-anyway"));
    await waitFor(() =>
      expect(b.callsTo("delete_shop_orders").map((c) => c.args)).toEqual([{ ids: [so6.id], removeLinks: false }]),
    );
  });

  it("an order sent to a target that deletes asks whether to delete it there too, naming the target", async () => {
    const so6 = order(transferred, numbered("SO-6"));
    const withParcel: ShopOrderFull = { ...so6, transfers: [{ ...parcelOnItsWay, account_id: shiptorTarget.account_id }] };
    const b = serveRecorded(transferred, {
      shop_order_full: () => withParcel,
      transfer_targets: () => [shiptorTarget],
      delete_shop_orders: () => null,
      delete_at_targets: () => 1,
    });
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-orders"));
    await user.click(await screen.findByTestId("cabinet-stat-all"));
    await user.click(await screen.findByRole("button", { name: "SO-6" }, { timeout: 5_000 }));
    // The order's block offers it to the target and shows the parcel.
    expect(await screen.findByRole("button", { name: "Send to Shiptor parcels" })).toBeInTheDocument();
    expect(screen.getByTestId("order-transfers")).toHaveTextContent("RA123456789RU");
    await user.click(screen.getByTestId("shop-order-delete"));
    const warning = screen.getByTestId("shop-order-delete-warning");
    expect(warning).toHaveTextContent("An order deleted there can be restored only here, in Ordertray.");
    await user.click(within(warning).getByRole("button", { name: "Delete here and at Shiptor parcels" }));
    await waitFor(() => expect(b.callsTo("delete_at_targets").map((c) => c.args)).toEqual([{ ids: [so6.id] }]));
    expect(b.callsTo("delete_shop_orders").map((c) => c.args)).toEqual([{ ids: [so6.id], removeLinks: false }]);
  });

  it("deleted, it can be restored to any other status, or deleted for good after asking", async () => {
    const so2 = order(deleted, numbered("SO-2"));
    const { b, user } = await openOrder(deleted, "SO-2");
    await user.click(screen.getByTestId("shop-order-delete"));
    expect(await screen.findByText("Order deleted")).toBeInTheDocument();
    const restore = await screen.findByTestId("shop-order-restore");
    const options = within(restore).getAllByRole("option").map((o) => o.textContent);
    expect(options).not.toContain("Deleted");
    expect(options).not.toContain("Transferred");
    expect(screen.queryByTestId("shop-order-edit")).toBeNull();
    await user.selectOptions(restore, "1");
    await user.click(screen.getByTestId("shop-order-restore-apply"));
    expect(await screen.findByText("Order restored to «Accepted»")).toBeInTheDocument();
    expect(b.callsTo("set_shop_order_status").map((c) => c.args)).toEqual([{ ids: [so2.id], statusId: 1 }]);

    await user.click(await screen.findByTestId("shop-order-delete"));
    await user.click(await screen.findByTestId("shop-order-purge"));
    await user.click(screen.getByTestId("shop-order-purge-confirm"));
    expect(await screen.findByText("Order deleted permanently")).toBeInTheDocument();
    expect(b.callsTo("purge_shop_orders").map((c) => c.args)).toEqual([{ ids: [so2.id] }]);
    // Back in the list, which no longer has it.
    await waitFor(() => expect(screen.getByTestId("cabinet")).toBeInTheDocument());
    expect(screen.queryByTestId(`cabinet-row-${so2.id}`)).toBeNull();
  });
});

describe("a shop order from an Ozon posting", () => {
  it("shows the posting's source label, barcodes and cargo places as text, and sends a tracking number to Ozon", async () => {
    const so = order(tracking, realFbs);
    const { b, user } = await openOrder(tracking, so.draft.number);
    const ozon = screen.getByTestId("shop-order-ozon");
    expect(within(ozon).getByTestId("shop-order-source-label")).toHaveTextContent("<i>Ozon realFBS</i>");
    const barcodes = so.extra?.barcodes as { upper_barcode: string; lower_barcode: string } | null | undefined;
    if (!barcodes) throw new Error("Ozon gave the shipped posting its barcodes");
    const shownBarcodes = within(ozon).getByTestId("shop-order-barcodes");
    expect(shownBarcodes).toHaveTextContent(barcodes.upper_barcode);
    expect(shownBarcodes).toHaveTextContent(barcodes.lower_barcode);
    expect(within(ozon).getByTestId("shop-order-cargo-places")).toHaveTextContent(String(so.extra?.cargo_places ?? ""));
    expect(ozon).toHaveTextContent("by the seller (realFBS)");
    expect(ozon.querySelector("b, i")).toBeNull();
    expect(within(ozon).queryByTestId("shop-order-fbo")).toBeNull();

    await user.click(within(ozon).getByTestId("shop-order-tracking-send"));
    expect(await within(ozon).findByTestId("shop-order-tracking-problem")).toHaveTextContent("Enter the tracking number");
    await user.type(within(ozon).getByTestId("shop-order-tracking-input"), " RA123456789RU ");
    await user.click(within(ozon).getByTestId("shop-order-tracking-send"));
    expect(await screen.findByText("Tracking number «RA123456789RU» queued for Ozon")).toBeInTheDocument();
    expect(b.callsTo("send_tracking_number").map((c) => c.args)).toEqual([
      { id: so.id, tracking: "" },
      { id: so.id, tracking: " RA123456789RU " },
    ]);
    expect(within(ozon).queryByTestId("shop-order-tracking-problem")).toBeNull();
  });

  it("tells why Ozon will not take a tracking number for a posting Ozon delivers", async () => {
    const so = order(trackingRefused, ozonDelivers);
    const { user } = await openOrder(trackingRefused, so.draft.number);
    const ozon = screen.getByTestId("shop-order-ozon");
    expect(ozon).toHaveTextContent("by Ozon");
    await user.type(within(ozon).getByTestId("shop-order-tracking-input"), "TRACK-1");
    await user.click(within(ozon).getByTestId("shop-order-tracking-send"));
    expect(await within(ozon).findByRole("alert")).toHaveTextContent(
      "Ozon takes tracking numbers only for postings the seller delivers (realFBS)",
    );
  });

  it("marks an FBO posting read-only and offers no tracking number", async () => {
    const so = order(all, fbo);
    await openOrder(all, so.draft.number);
    const ozon = screen.getByTestId("shop-order-ozon");
    expect(within(ozon).getByTestId("shop-order-fbo")).toHaveTextContent("FBO");
    expect(within(ozon).getByTestId("shop-order-source-label")).toHaveTextContent("Ozon FBO");
    expect(within(ozon).queryByTestId("shop-order-tracking")).toBeNull();
  });

  it("is not shown for orders made by hand", async () => {
    await openOrder(all, "SO-2");
    expect(screen.queryByTestId("shop-order-ozon")).toBeNull();
  });
});
