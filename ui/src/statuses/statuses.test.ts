import { describe, expect, it } from "vitest";
import { en } from "../i18n/en";
import { ru } from "../i18n/ru";
import type { ShopStatus } from "../bindings/ShopStatus";
import fresh from "../test/fixtures/fresh.json";
import { recorded } from "../test/recorded";
import { builtInName, firstInGroup, forSaving, newStatus, statusName } from "./statuses";

/** The statuses a new database starts with, as the engine gives them. */
const defaultStatuses = () => recorded<ShopStatus[]>(fresh, "shop_statuses");

describe("shop statuses", () => {
  it("a built-in status is named in the manager's language unless the shop typed a name", () => {
    const [accepted] = defaultStatuses();
    if (!accepted) throw new Error("no default status");
    expect(statusName(accepted, en)).toBe("Accepted");
    expect(statusName(accepted, ru)).toBe("Принят");
    expect(statusName({ ...accepted, name: "Взят в работу" }, en)).toBe("Взят в работу");
    expect(statusName({ ...accepted, name: "  " }, en)).toBe("Accepted");
    expect(builtInName(null, en)).toBe("");
    // A code a newer engine knows and this UI does not is still shown, as it is.
    expect(builtInName("returned", en)).toBe("returned");
  });

  it("saving numbers the statuses in their order and trims names", () => {
    const list = [{ ...newStatus(), name: " Paid " }, ...defaultStatuses().slice(0, 1)];
    expect(forSaving(list).map((s) => [s.id, s.name, s.position])).toEqual([
      [0, "Paid", 0],
      [1, "", 1],
    ]);
  });

  it("a new status does not write the items off: it starts in work", () => {
    expect(newStatus()).toMatchObject({ group: "in_work", writes_off: false });
  });

  it("finds the first status of a group in workflow order", () => {
    const list = defaultStatuses();
    expect(firstInGroup(list, "new")?.code).toBe("accepted");
    expect(firstInGroup(list, "in_work")?.code).toBe("confirmed");
    // Without "Accepted" only "Pre-order" is new, and pre-orders alone go there.
    expect(list[1]?.code).toBe("preorder");
    expect(firstInGroup(list.slice(1), "new")).toBeUndefined();
  });
});
