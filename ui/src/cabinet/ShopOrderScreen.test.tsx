import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { acceptedLine, accountView } from "../test/backend";
import { CabinetBackend, fullOrder } from "../test/cabinet";
import { renderWithProviders } from "../test/render";

function withOrders(): CabinetBackend {
  const b = new CabinetBackend();
  b.accounts = [accountView(1, "Shop A")];
  b.lines = [acceptedLine(1, "0570-0029-1", "Brake pad")];
  b.orders = [
    fullOrder(1, "SO-1", {
      account: "Shop A",
      account_kind: "ozon",
      source_order_id: 57000,
      timeline: [
        { id: 1, at: "2026-11-23T08:00:00Z", kind: "order_created", actor: "sync", message: "Order 0570-0029-1 arrived", line_id: null, args: null },
        { id: 2, at: "2026-11-23T08:05:00Z", kind: "status", actor: "manager", message: "<b>Accepted</b> → Ordered", line_id: 1, args: null },
      ],
    }),
    fullOrder(2, "SO-2", {}, { delivery_method: "post" }),
    fullOrder(6, "SO-6", { transferred_to: "RetailCRM", status_id: 9 }),
    fullOrder(7, "SO-7", {
      account: "Shop A",
      account_kind: "ozon",
      source_order_id: 57007,
      source: "<i>Ozon realFBS</i>",
      extra: {
        barcodes: { upper_barcode: "%101%806044518", lower_barcode: "<b>24577</b>" },
        cargo_places: 3,
        tpl_integration_type: "non_integrated",
      },
    }),
    fullOrder(8, "SO-8", {
      account: "Shop A",
      account_kind: "ozon",
      source_order_id: 57008,
      source: "Ozon",
      extra: { barcodes: null, cargo_places: 1, tpl_integration_type: "ozon" },
    }),
    fullOrder(9, "SO-9", { account: "Shop A", account_kind: "ozon", source_order_id: 57009, read_only: true, source: "Ozon FBO" }),
  ];
  return b.install();
}

async function openOrder(number: string) {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-orders"));
  await user.click(await screen.findByTestId("cabinet-stat-all"));
  await user.click(await screen.findByRole("button", { name: number }));
  await waitFor(() => expect(screen.getByTestId("shop-order-number")).toHaveTextContent(number));
  return user;
}

describe("a shop order", () => {
  it("shows every field, its items and the whole history as text; its marketplace order opens, and Back returns", async () => {
    const b = withOrders();
    const user = await openOrder("SO-1");
    const page = screen.getByTestId("shop-order");
    expect(b.callsTo("shop_order_full").map((c) => c.args)).toEqual([{ id: 1 }]);
    expect(within(page).getByTestId("shop-order-recipient")).toHaveTextContent("Recipient 1");
    expect(within(page).getByTestId("shop-order-recipient")).toHaveTextContent("Москва, Тверская 1");
    expect(within(page).getByTestId("shop-order-item")).toHaveTextContent("BOSCH");
    expect(within(page).getByTestId("shop-order-total")).toHaveTextContent("2,350.00");
    expect(page).toHaveTextContent("Курьер");
    expect(page).toHaveTextContent("Prepaid");
    const events = within(page).getAllByTestId("timeline-event");
    expect(events.map((e) => e.textContent?.replace(/^.*?\d{2}:\d{2} /, ""))).toEqual([
      "sync Order 0570-0029-1 arrived",
      "manager <b>Accepted</b> → Ordered",
    ]);
    // Marketplace words are text, never markup.
    expect(page.querySelector("b")).toBeNull();

    await user.click(within(page).getByTestId("shop-order-marketplace-link"));
    const detail = await screen.findByTestId("order-detail");
    expect(within(detail).getByTestId("order-number")).toHaveTextContent("0570-0029-1");
    expect(screen.getByTestId("nav-orders")).toHaveClass("active");
    await user.click(within(detail).getByText(/Back/));
    await waitFor(() => expect(screen.getByTestId("shop-order-number")).toHaveTextContent("SO-1"));
  });

  it("changes its status by hand, never to «Transferred» (nor «Deleted»: that is Delete)", async () => {
    const b = withOrders();
    const user = await openOrder("SO-2");
    const select = screen.getByTestId("shop-order-status");
    const options = within(select).getAllByRole("option").map((o) => o.textContent);
    expect(options).not.toContain("Transferred");
    expect(options).not.toContain("Deleted");
    expect(options).toContain("Delivered");
    await user.selectOptions(select, "2");
    expect(await screen.findByText("Status → «Ordered from the supplier»")).toBeInTheDocument();
    expect(b.callsTo("set_shop_order_status").map((c) => c.args)).toEqual([{ ids: [2], statusId: 2 }]);
    await waitFor(() => expect(screen.getByTestId("shop-order-status")).toHaveValue("2"));
  });

  it("a transferred order shows its status but offers it no more, and warns before it is deleted", async () => {
    const b = withOrders();
    const user = await openOrder("SO-6");
    expect(screen.getByTestId("shop-order-transferred")).toHaveTextContent("RetailCRM");
    expect(screen.getByTestId("shop-order-status")).toHaveValue("9");
    expect(screen.getByTestId("shop-order-status")).toBeDisabled();
    await user.click(screen.getByTestId("shop-order-delete"));
    expect(screen.getByTestId("shop-order-delete-warning")).toHaveTextContent("Order SO-6 was transferred to RetailCRM.");
    await user.click(screen.getByTestId("shop-order-delete-anyway"));
    await waitFor(() => expect(b.callsTo("delete_shop_orders").map((c) => c.args)).toEqual([{ ids: [6], removeLinks: false }]));
  });

  it("deleted, it can be restored to any other status, or deleted for good after asking", async () => {
    const b = withOrders();
    const user = await openOrder("SO-2");
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
    expect(b.callsTo("set_shop_order_status").map((c) => c.args)).toEqual([{ ids: [2], statusId: 1 }]);

    await user.click(await screen.findByTestId("shop-order-delete"));
    await user.click(await screen.findByTestId("shop-order-purge"));
    await user.click(screen.getByTestId("shop-order-purge-confirm"));
    expect(await screen.findByText("Order deleted permanently")).toBeInTheDocument();
    expect(b.callsTo("purge_shop_orders").map((c) => c.args)).toEqual([{ ids: [2] }]);
    // Back in the list, which no longer has it.
    await waitFor(() => expect(screen.getByTestId("cabinet")).toBeInTheDocument());
    expect(screen.queryByTestId("cabinet-row-2")).toBeNull();
  });
});

describe("a shop order from an Ozon posting", () => {
  it("shows the posting's source label, barcodes and cargo places as text, and sends a tracking number to Ozon", async () => {
    const b = withOrders();
    const user = await openOrder("SO-7");
    const ozon = screen.getByTestId("shop-order-ozon");
    expect(within(ozon).getByTestId("shop-order-source-label")).toHaveTextContent("<i>Ozon realFBS</i>");
    expect(within(ozon).getByTestId("shop-order-barcodes")).toHaveTextContent("%101%806044518, <b>24577</b>");
    expect(within(ozon).getByTestId("shop-order-cargo-places")).toHaveTextContent("3");
    expect(ozon).toHaveTextContent("by the seller (realFBS)");
    expect(ozon.querySelector("b, i")).toBeNull();
    expect(within(ozon).queryByTestId("shop-order-fbo")).toBeNull();

    await user.click(within(ozon).getByTestId("shop-order-tracking-send"));
    expect(await within(ozon).findByTestId("shop-order-tracking-problem")).toHaveTextContent("Enter the tracking number");
    await user.type(within(ozon).getByTestId("shop-order-tracking-input"), " RA123456789RU ");
    await user.click(within(ozon).getByTestId("shop-order-tracking-send"));
    expect(await screen.findByText("Tracking number «RA123456789RU» queued for Ozon")).toBeInTheDocument();
    expect(b.callsTo("send_tracking_number").map((c) => c.args)).toEqual([
      { id: 7, tracking: "" },
      { id: 7, tracking: " RA123456789RU " },
    ]);
    expect(within(ozon).queryByTestId("shop-order-tracking-problem")).toBeNull();
  });

  it("tells why Ozon will not take a tracking number for a posting Ozon delivers", async () => {
    withOrders();
    const user = await openOrder("SO-8");
    const ozon = screen.getByTestId("shop-order-ozon");
    expect(ozon).toHaveTextContent("by Ozon");
    expect(within(ozon).queryByTestId("shop-order-barcodes")).toBeNull();
    await user.type(within(ozon).getByTestId("shop-order-tracking-input"), "TRACK-1");
    await user.click(within(ozon).getByTestId("shop-order-tracking-send"));
    expect(await within(ozon).findByRole("alert")).toHaveTextContent(
      "Ozon takes tracking numbers only for postings the seller delivers (realFBS)",
    );
  });

  it("marks an FBO posting read-only and offers no tracking number", async () => {
    withOrders();
    await openOrder("SO-9");
    const ozon = screen.getByTestId("shop-order-ozon");
    expect(within(ozon).getByTestId("shop-order-fbo")).toHaveTextContent("FBO");
    expect(within(ozon).getByTestId("shop-order-source-label")).toHaveTextContent("Ozon FBO");
    expect(within(ozon).queryByTestId("shop-order-tracking")).toBeNull();
  });

  it("is not shown for orders made by hand", async () => {
    withOrders();
    await openOrder("SO-2");
    expect(screen.queryByTestId("shop-order-ozon")).toBeNull();
  });
});
