import { describe, expect, it } from "vitest";
import { reasonOptions } from "../accounts/cancelReasons";
import { CANCEL_REASONS } from "../integrations/ozon/cancelReasons";

const titles = { 352: "Out of stock", 400: "Defective", 402: "Other" };

describe("cancel reason options", () => {
  it("are the documented seller reasons until Ozon's list is loaded", () => {
    expect(reasonOptions(undefined, 352, titles, CANCEL_REASONS).map((r) => r.id)).toEqual([352, 400, 402]);
    expect(reasonOptions([], 352, titles, CANCEL_REASONS).map((r) => r.id)).toEqual([352, 400, 402]);
  });

  it("are Ozon's list once loaded, keeping the account's current reason", () => {
    const loaded = [{ id: 352, title: "Товар закончился" }];
    expect(reasonOptions(loaded, 352, titles, CANCEL_REASONS)).toEqual(loaded);
    expect(reasonOptions(loaded, 402, titles, CANCEL_REASONS)).toEqual([...loaded, { id: 402, title: "Other" }]);
  });
});
