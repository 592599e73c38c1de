import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { REFRESH_WINDOW_MS, coalesceRefreshes } from "./coalesceRefreshes";
import { applyEngineEvent, keys } from "./queries";
import { newQueryClient } from "./queryClient";
import type { EngineEvent } from "./bindings/EngineEvent";

/** The engine's events applied as the app applies them, and how often each family was invalidated. */
function engine() {
  const qc = newQueryClient();
  const spy = vi.spyOn(qc, "invalidateQueries");
  const coalesced = coalesceRefreshes((queryKey) => qc.invalidateQueries({ queryKey }));
  return {
    apply: (event: EngineEvent) => applyEngineEvent(qc, event, coalesced.refresh),
    count: (key: readonly unknown[]) =>
      spy.mock.calls.filter((c) => JSON.stringify(c[0]?.queryKey) === JSON.stringify(key)).length,
  };
}

const newLines: EngineEvent = { type: "new_lines", account_id: 1, orders: 1, lines: 2, first_order_id: 7 };
const ordersChanged: EngineEvent = { type: "orders_changed", account_id: 1 };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("engine events during a sync", () => {
  it("a burst of 100 events within a second refreshes the inbox three times: at once, midway, after the last", async () => {
    const e = engine();
    for (let i = 0; i < 100; i++) {
      e.apply(i % 2 === 0 ? newLines : ordersChanged);
      // The first page of a sync shows without waiting.
      if (i === 0) expect(e.count(keys.inboxAll)).toBe(1);
      if (i < 99) await vi.advanceTimersByTimeAsync(10);
    }
    const duringBurst = e.count(keys.inboxAll);
    await vi.advanceTimersByTimeAsync(10 * REFRESH_WINDOW_MS);
    const total = e.count(keys.inboxAll);
    expect(total).toBeLessThanOrEqual(3);
    // The events after the last refresh in the burst still get one.
    expect(total).toBe(duringBurst + 1);
    // The other families the events name are held back the same way.
    expect(e.count(keys.cabinetAll)).toBeLessThanOrEqual(3);
    expect(e.count(keys.accounts)).toBeLessThanOrEqual(3);
  });

  it("a single event refreshes at once, and once only; another soon after waits for the window", async () => {
    const e = engine();
    e.apply(newLines);
    expect(e.count(keys.inboxAll)).toBe(1);
    await vi.advanceTimersByTimeAsync(10 * REFRESH_WINDOW_MS);
    expect(e.count(keys.inboxAll)).toBe(1);

    e.apply(ordersChanged);
    expect(e.count(keys.inboxAll)).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    e.apply(newLines);
    expect(e.count(keys.inboxAll)).toBe(2);
    await vi.advanceTimersByTimeAsync(REFRESH_WINDOW_MS);
    expect(e.count(keys.inboxAll)).toBe(3);
  });

  it("each family has its own window: an outbox event is not held back by the orders' refresh", async () => {
    const e = engine();
    e.apply(ordersChanged);
    await vi.advanceTimersByTimeAsync(100);
    e.apply({ type: "outbox", account_id: 1 });
    expect(e.count(keys.outboxAll)).toBe(1);
    // Both name the orders: that one waits for its window.
    expect(e.count(keys.orderAll)).toBe(1);
    await vi.advanceTimersByTimeAsync(REFRESH_WINDOW_MS);
    expect(e.count(keys.orderAll)).toBe(2);
  });

  it("a refetch slower than the window is not cancelled by the family's next refresh", async () => {
    let answer = () => {};
    const started: number[] = [];
    const coalesced = coalesceRefreshes(() => {
      started.push(Date.now());
      return new Promise<void>((resolve) => (answer = resolve));
    });
    const t0 = Date.now();
    coalesced.refresh(keys.inboxAll);
    coalesced.refresh(keys.inboxAll);
    await vi.advanceTimersByTimeAsync(3 * REFRESH_WINDOW_MS);
    expect(started).toHaveLength(1);
    answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(started.map((t) => t - t0)).toEqual([0, 3 * REFRESH_WINDOW_MS]);
  });
});
