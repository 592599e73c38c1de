import { describe, expect, it } from "vitest";
import { shipByCountdown } from "./shipBy";

const DUE = "2026-03-02T09:30:00Z";
const at = (iso: string) => new Date(iso).getTime();

describe("the ship-by countdown", () => {
  it("counts minutes, then hours, then days to the deadline", () => {
    expect(shipByCountdown(DUE, "en", at("2026-03-02T09:05:00Z"))).toMatchObject({ overdue: false, minutes: 25 });
    expect(shipByCountdown(DUE, "en", at("2026-03-02T09:05:00Z"))?.text).toMatch(/^in 25 min\.?$/);
    expect(shipByCountdown(DUE, "en", at("2026-03-02T06:30:00Z"))?.text).toMatch(/^in 3 hr\.?$/);
    expect(shipByCountdown(DUE, "en", at("2026-02-27T09:30:00Z"))?.text).toBe("in 3 days");
  });

  it("says how long ago a passed deadline was, as overdue", () => {
    const late = shipByCountdown(DUE, "en", at("2026-03-02T11:30:00Z"));
    expect(late).toMatchObject({ overdue: true, minutes: -120 });
    expect(late?.text).toMatch(/^2 hr\.? ago$/);
    expect(shipByCountdown(DUE, "ru", at("2026-03-02T11:30:00Z"))?.text).toBe("2 ч назад");
  });

  it("has nothing to say about an unreadable time", () => {
    expect(shipByCountdown("soon", "en", 0)).toBeNull();
  });
});
