import type { ReactNode } from "react";
import type { Address } from "../bindings/Address";
import type { DeliveryMethod } from "../bindings/DeliveryMethod";
import { useI18n } from "../i18n";
import { Field } from "./Field";

const hasParts = (a: Address) =>
  [a.country, a.region, a.city, a.street, a.house, a.flat, a.postal_code, a.pickup_point_id, a.pickup_point_address].some(
    (v) => v.trim() !== "",
  );

/**
 * The destination field by field. A one-line address kept from before (or from a marketplace whose
 * line could not be split) is shown as text above the empty fields; the pickup point's fields show
 * for a method that delivers to one, or when the order already names a point.
 */
export function AddressFields({
  address,
  method,
  onChange,
  shown,
}: {
  address: Address;
  method: DeliveryMethod | undefined;
  onChange: (key: keyof Address, value: string) => void;
  shown: (field: string) => ReactNode;
}) {
  const { t } = useI18n();
  const f = t.cabinet.form;
  const input = (key: keyof Address, label: string, grow = false) => (
    <Field label={label} problem={shown(`address.${key}`)} grow={grow}>
      <input data-testid={`order-address-${key.replace(/_/g, "-")}`} value={address[key]} onChange={(e) => onChange(key, e.target.value)} />
    </Field>
  );
  const point = method?.kind === "pickup_point" || address.pickup_point_id !== "" || address.pickup_point_address !== "";
  return (
    <>
      {!hasParts(address) && address.text !== "" && (
        <p className="hint" data-testid="order-address-text">
          {f.addressAsReceived(address.text)}
        </p>
      )}
      <div className="field-row">
        {input("postal_code", f.postalCode)}
        {input("country", f.country)}
        {input("region", f.region)}
        {input("city", f.city, true)}
      </div>
      <div className="field-row">
        {input("street", f.street, true)}
        {input("house", f.house)}
        {input("flat", f.flat)}
      </div>
      {point && (
        <div className="field-row">
          {input("pickup_point_id", f.pickupPointId)}
          {input("pickup_point_address", f.pickupPointAddress, true)}
        </div>
      )}
    </>
  );
}
