import { act, render } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noteCall, noteNavigation, perfRecord, useScreenReady } from "./perf";

function Screen({ name, ready }: { name: string; ready: boolean }) {
  useScreenReady(name, ready);
  return null;
}

/** Runs the animation frames queued so far (and those they queue). */
function frames(n: number) {
  for (let i = 0; i < n; i++) act(() => vi.advanceTimersToNextFrame());
}

describe("useScreenReady", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["requestAnimationFrame", "performance"] });
    delete window.__ordertrayPerf;
  });
  afterEach(() => vi.useRealTimers());

  it("notes a screen once its data is painted, and the first such paint as the app's interactive time", () => {
    const mounted = performance.now();
    const { rerender } = render(<Screen name="inbox:new" ready={false} />);
    frames(3);
    expect(perfRecord().screens).toEqual([]);
    vi.advanceTimersByTime(40);
    const dataAt = performance.now();
    rerender(<Screen name="inbox:new" ready />);
    expect(perfRecord().screens).toEqual([]);
    vi.advanceTimersByTime(25);
    frames(2);
    const [first] = perfRecord().screens;
    expect(first?.screen).toBe("inbox:new");
    expect(first?.dataMs).toBe(dataAt - mounted);
    expect(first?.ms).toBeGreaterThan(dataAt - mounted + 16);
    expect(perfRecord().interactiveAt).toBeCloseTo(performance.timeOrigin + performance.now(), -2);
  });

  it("notes each view the same component shows once, and keeps the first interactive time", () => {
    const { rerender } = render(<Screen name="inbox:new" ready />);
    frames(2);
    const interactive = perfRecord().interactiveAt;
    rerender(<Screen name="inbox:new" ready />);
    rerender(<Screen name="inbox:accepted" ready />);
    frames(2);
    rerender(<Screen name="inbox:new" ready />);
    frames(2);
    expect(perfRecord().screens.map((s) => s.screen)).toEqual(["inbox:new", "inbox:accepted"]);
    expect(perfRecord().interactiveAt).toBe(interactive);
  });

  it("counts a screen's first paint from the sidebar's click that asked for it, and not from an older click", () => {
    noteNavigation("orders");
    const clicked = performance.now();
    vi.advanceTimersByTime(20);
    const { unmount } = render(<Screen name="orders" ready />);
    frames(2);
    expect(perfRecord().screens[0]).toMatchObject({ screen: "orders", openMs: 20, ms: performance.now() - clicked });
    unmount();
    // A click whose screen did not open then (another way was taken) is not this visit's.
    noteNavigation("orders");
    vi.advanceTimersByTime(5_000);
    const mounted = performance.now();
    render(<Screen name="orders" ready />);
    frames(2);
    expect(perfRecord().screens[1]).toMatchObject({ screen: "orders", openMs: 0, ms: performance.now() - mounted });
  });

  it("notes each call to the Rust side with its time, keeping the latest 200", () => {
    const at = performance.now();
    vi.advanceTimersByTime(30);
    noteCall("inbox", at);
    expect(perfRecord().calls).toEqual([{ command: "inbox", at, ms: 30 }]);
    for (let i = 0; i < 250; i++) noteCall(`c${i}`, performance.now());
    expect(perfRecord().calls).toHaveLength(200);
    expect(perfRecord().calls[199]?.command).toBe("c249");
  });
});
