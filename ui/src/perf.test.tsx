import { act, render } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { perfRecord, useScreenReady } from "./perf";

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
    const { rerender } = render(<Screen name="inbox:new" ready={false} />);
    frames(3);
    expect(perfRecord().screens).toEqual([]);
    vi.advanceTimersByTime(40);
    rerender(<Screen name="inbox:new" ready />);
    expect(perfRecord().screens).toEqual([]);
    frames(2);
    const [first] = perfRecord().screens;
    expect(first?.screen).toBe("inbox:new");
    expect(first?.ms).toBeGreaterThanOrEqual(40);
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
});
