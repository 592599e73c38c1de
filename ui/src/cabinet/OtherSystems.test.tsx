import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { TransferView } from "../bindings/TransferView";
import { renderWithProviders } from "../test/render";
import { OtherSystems, SendTo } from "./OtherSystems";

const sent: TransferView = {
  target: "retailcrm",
  remote_id: "4711",
  link: "https://shop.retailcrm.ru/orders/4711/edit",
  state: "sent",
  last_error: null,
  updated_at: "2026-12-03T10:00:00Z",
};

describe("the order's other systems", () => {
  it("says so when the order was sent nowhere", () => {
    renderWithProviders(<OtherSystems transfers={[]} />);
    expect(screen.getByTestId("order-transfers-none")).toHaveTextContent("Not sent to another system yet.");
  });

  it("lists each target with its id, link, state and last error; only web links open", () => {
    const failed: TransferView = { ...sent, target: "shiptor", remote_id: null, link: "javascript:alert(1)", state: "failed", last_error: "Не указан индекс" };
    renderWithProviders(<OtherSystems transfers={[sent, failed]} />);
    const [crm, shiptor] = screen.getAllByTestId("order-transfer");
    if (!crm || !shiptor) throw new Error("two rows");
    expect(crm).toHaveTextContent("RetailCRM4711");
    expect(within(crm).getByRole("link")).toHaveAttribute("href", sent.link);
    expect(crm).toHaveTextContent("Sent");
    expect(shiptor).toHaveTextContent("Shiptor");
    expect(shiptor).toHaveTextContent("Failed");
    expect(shiptor).toHaveTextContent("Не указан индекс");
    expect(within(shiptor).queryByRole("link")).toBeNull();
  });

  it("offers no target to send to while none can be connected", () => {
    renderWithProviders(<SendTo />);
    expect(within(screen.getByTestId("order-send-to")).getByRole("combobox")).toBeDisabled();
  });
});
