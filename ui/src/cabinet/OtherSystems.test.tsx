import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { TransferView } from "../bindings/TransferView";
import { serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { crmTarget, parcelOnItsWay, refusedByShiptor, sentToCrm, shiptorTarget } from "../test/transfers";
import { OrderTransfers, OtherSystems } from "./OtherSystems";

const NOTHING = { answers: [] };

function renderBlock(transfers: readonly TransferView[], onSend = vi.fn()) {
  renderWithProviders(<OtherSystems orderId={7} transfers={transfers} targets={[crmTarget, shiptorTarget]} onSend={onSend} />);
  return onSend;
}

const rows = () => {
  const found = screen.getAllByTestId("order-transfer");
  return Object.fromEntries(found.map((r) => [r.dataset.accountId, r]));
};

describe("the order's other systems", () => {
  it("says so when the order was sent nowhere", () => {
    serveRecorded(NOTHING);
    renderBlock([]);
    expect(screen.getByTestId("order-transfers-none")).toHaveTextContent("Not sent to another system yet.");
  });

  it("lists each target with its state, id, link, status there, tracking number and last error; only web links open", () => {
    serveRecorded(NOTHING);
    renderBlock([sentToCrm, refusedByShiptor]);
    const { 21: crm, 22: shiptor } = rows();
    if (!crm || !shiptor) throw new Error("two rows");
    expect(crm).toHaveTextContent("Our CRM");
    expect(within(crm).getByTestId("order-transfer-state")).toHaveTextContent("Transferred");
    expect(crm).toHaveTextContent("4711");
    expect(within(crm).getByRole("link")).toHaveAttribute("href", sentToCrm.link);
    expect(within(shiptor).getByTestId("order-transfer-state")).toHaveTextContent("Problematic");
    expect(within(shiptor).getByTestId("order-transfer-error")).toHaveTextContent("Shiptor parcels: Не указан индекс");
    // A stored javascript: link is text, never a link.
    expect(within(shiptor).queryByRole("link")).toBeNull();
    expect(shiptor).toHaveTextContent("javascript:alert(1)");
    // Get needs a record there; a refused order has none.
    expect(within(crm).getByTestId("order-transfer-get")).toBeInTheDocument();
    expect(within(shiptor).queryByTestId("order-transfer-get")).toBeNull();
  });

  it("words the target's refusal in the manager's language, keeping the target's own words as they came", () => {
    localStorage.setItem("ordertray.lang", "ru");
    serveRecorded(NOTHING);
    renderBlock([refusedByShiptor]);
    expect(screen.getByTestId("order-transfer-state")).toHaveTextContent("Проблемный");
    expect(screen.getByTestId("order-transfer-error")).toHaveTextContent("Shiptor parcels не принял заказ: Не указан индекс");
  });

  it("never renders HTML a target sent back", () => {
    serveRecorded(NOTHING);
    const html: TransferView = {
      ...parcelOnItsWay,
      remote_id: '<img src=x onerror="alert(1)">',
      remote_status: "<b>Delivering</b>",
      tracking_number: "<script>alert(2)</script>",
      last_error: '<a href="javascript:alert(3)">fix</a>',
      last_error_words: null,
      history: [{ at: null, text: "<iframe src=evil></iframe>" }],
    };
    renderBlock([html]);
    const block = screen.getByTestId("order-transfers");
    expect(block.querySelector("img, b, script, iframe")).toBeNull();
    expect(within(block).getAllByRole("link").map((a) => a.getAttribute("href"))).toEqual([parcelOnItsWay.link]);
    expect(block).toHaveTextContent('<img src=x onerror="alert(1)">');
    expect(block).toHaveTextContent("<script>alert(2)</script>");
  });

  it("opens the package's history of operations from its status there, with dates; Escape closes it back onto the status", async () => {
    serveRecorded(NOTHING);
    const user = userEvent.setup();
    renderBlock([sentToCrm, parcelOnItsWay]);
    const { 21: crm, 22: parcel } = rows();
    if (!crm || !parcel) throw new Error("two rows");
    // No history: the status is plain text, nothing to open.
    expect(within(crm).queryByRole("button", { name: /history/ })).toBeNull();
    expect(parcel).toHaveTextContent("RA123456789RU");
    const status = within(parcel).getByRole("button", { name: "Delivering: show the history of operations" });
    status.focus();
    await user.keyboard("{Enter}");
    const dialog = await screen.findByRole("dialog", { name: "History of operations at Shiptor parcels" });
    const entries = within(dialog).getAllByTestId("remote-history-entry");
    expect(entries.map((e) => e.textContent)).toEqual([
      expect.stringContaining("Accepted at the warehouse"),
      expect.stringContaining("Handed to Russian Post"),
    ]);
    expect(within(dialog).getAllByRole("time").map((t) => t.getAttribute("datetime"))).toEqual([
      "2026-12-03T11:00:00Z",
      "2026-12-04T09:30:00Z",
    ]);
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(status).toHaveFocus();
  });

  it("sends again, gets and unlinks (after asking) at that target only", async () => {
    const b = serveRecorded(NOTHING, {
      refresh_transfers: () => ({ read: 1, gone: 0, failed: [] }),
      unlink_transfer: () => true,
    });
    const user = userEvent.setup();
    const onSend = renderBlock([sentToCrm, parcelOnItsWay]);
    const { 22: parcel } = rows();
    if (!parcel) throw new Error("a parcel row");

    await user.click(within(parcel).getByRole("button", { name: "Send again to Shiptor parcels" }));
    expect(onSend).toHaveBeenCalledWith(shiptorTarget);

    await user.click(within(parcel).getByRole("button", { name: "Get the status from Shiptor parcels" }));
    await waitFor(() => expect(b.callsTo("refresh_transfers").map((c) => c.args)).toEqual([{ ids: [7], accountId: 22 }]));
    expect(await screen.findByText("Read back: 1 order")).toBeInTheDocument();

    await user.click(within(parcel).getByTestId("order-transfer-unlink"));
    expect(parcel).toHaveTextContent("Remove the link to Shiptor parcels? The record there stays as it is.");
    expect(b.callsTo("unlink_transfer")).toEqual([]);
    await user.click(within(parcel).getByTestId("order-transfer-unlink-confirm"));
    await waitFor(() => expect(b.callsTo("unlink_transfer").map((c) => c.args)).toEqual([{ orderId: 7, accountId: 22 }]));
  });

  it("offers a Send to button per active target and sends the order to the one pressed", async () => {
    const b = serveRecorded(NOTHING, {
      transfer_targets: () => [crmTarget, { ...shiptorTarget, active: false }],
      send_to_target: () => ({ queued: [7], to_confirm: [] }),
      transfer_status: () => [{ order_id: 7, number: "A-7", transfer: sentToCrm }],
    });
    const user = userEvent.setup();
    renderWithProviders(<OrderTransfers orderId={7} transfers={[]} />);
    const send = await screen.findByRole("button", { name: "Send to Our CRM" });
    expect(screen.queryByRole("button", { name: "Send to Shiptor parcels" })).toBeNull();
    await user.click(send);
    await waitFor(() => expect(b.callsTo("send_to_target").map((c) => c.args)).toEqual([{ accountId: 21, ids: [7], confirmed: false }]));
    expect(await screen.findByTestId("send-summary-transferred")).toHaveTextContent("1 order transferred");
  });

  it("says where to connect a target when none is", async () => {
    serveRecorded(NOTHING, { transfer_targets: () => [] });
    renderWithProviders(<OrderTransfers orderId={7} transfers={[]} />);
    expect(await screen.findByText("No CRM or delivery service is connected: add one in Accounts.")).toBeInTheDocument();
  });
});
