import { render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ROWS_AT_FIRST, useRowsInSteps } from "./useRowsInSteps";

function List({ total, cursor }: { total: number; cursor?: number }) {
  const drawn = useRowsInSteps(total, cursor == null ? 0 : cursor + 1);
  return (
    <ul>
      {Array.from({ length: drawn }, (_, i) => (
        <li key={i} data-testid="row" />
      ))}
    </ul>
  );
}

describe("a long list drawn in steps", () => {
  it("draws a screenful first and every row after the following frames", async () => {
    render(<List total={1_000} />);
    expect(screen.getAllByTestId("row")).toHaveLength(ROWS_AT_FIRST);
    await waitFor(() => expect(screen.getAllByTestId("row")).toHaveLength(1_000));
  });

  it("draws a short list whole and the row under the cursor at once", () => {
    const { rerender } = render(<List total={30} />);
    expect(screen.getAllByTestId("row")).toHaveLength(30);
    rerender(<List total={1_000} cursor={499} />);
    expect(screen.getAllByTestId("row").length).toBeGreaterThanOrEqual(500);
  });
});
