import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import type { Address } from "../bindings/Address";
import type { DeliveryMethod } from "../bindings/DeliveryMethod";
import { renderWithProviders } from "../test/render";
import { AddressFields } from "./AddressFields";

const EMPTY: Address = {
  country: "",
  region: "",
  city: "",
  street: "",
  house: "",
  flat: "",
  postal_code: "",
  pickup_point_id: "",
  pickup_point_address: "",
  text: "",
};

const method = (kind: DeliveryMethod["kind"]): DeliveryMethod => ({
  id: kind,
  name: kind,
  kind,
  carrier: "",
  base: "0",
  per_kg: "0",
  term_days: null,
  postal_code_required: false,
  card_on_delivery: true,
  order_type: null,
  codes: {},
});

function Harness({ initial, kind }: { initial: Address; kind?: DeliveryMethod["kind"] }) {
  const [address, setAddress] = useState(initial);
  return (
    <>
      <AddressFields
        address={address}
        method={kind ? method(kind) : undefined}
        onChange={(key, value) => setAddress((a) => ({ ...a, [key]: value }))}
        shown={() => null}
      />
      <output data-testid="state">{JSON.stringify(address)}</output>
    </>
  );
}

describe("the order's address fields", () => {
  it("show a one-line address kept from before until its fields are filled", async () => {
    const user = userEvent.setup();
    renderWithProviders(<Harness initial={{ ...EMPTY, text: "Казань Баумана 5 кв 3" }} />);
    expect(screen.getByTestId("order-address-text")).toHaveTextContent("As received: Казань Баумана 5 кв 3");
    await user.type(screen.getByTestId("order-address-city"), "Казань");
    expect(screen.queryByTestId("order-address-text")).toBeNull();
    expect(JSON.parse(screen.getByTestId("state").textContent ?? "")).toMatchObject({ city: "Казань" });
  });

  it("ask for the pickup point only for a method that delivers to one", () => {
    const { unmount } = renderWithProviders(<Harness initial={EMPTY} kind="courier" />);
    expect(screen.queryByTestId("order-address-pickup-point-id")).toBeNull();
    expect(screen.getByTestId("order-address-street")).toBeInTheDocument();
    unmount();
    renderWithProviders(<Harness initial={EMPTY} kind="pickup_point" />);
    expect(screen.getByTestId("order-address-pickup-point-id")).toBeInTheDocument();
    expect(screen.getByTestId("order-address-pickup-point-address")).toBeInTheDocument();
  });
});
