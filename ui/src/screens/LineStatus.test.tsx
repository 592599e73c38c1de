import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { acceptedLine, accountView, inboxLine } from "../test/backend";
import { CabinetBackend, fullOrder } from "../test/cabinet";
import { emptyTemplates } from "../test/pushes";
import { renderWithProviders } from "../test/render";

/**
 * Marketplace order 57000 (0570-0029-1): lines 1 and 2 accepted, line 3 rejected → shop order SO-1.
 * Marketplace order 57100 (0571-0001-1): line 4 accepted → SO-2. SO-3 was made by hand.
 */
function withAccepted(): CabinetBackend {
  const b = new CabinetBackend();
  b.accounts = [accountView(1, "Shop A")];
  const rejected = inboxLine(3, "0570-0029-1", "Arm");
  rejected.line.state = "rejected";
  b.lines = [
    acceptedLine(1, "0570-0029-1", "Brake pad"),
    acceptedLine(2, "0570-0029-1", "Disc"),
    rejected,
    acceptedLine(4, "0571-0001-1", "Oil filter"),
  ];
  b.orders = [
    fullOrder(1, "SO-1", { source_order_id: 57000, account: "Shop A", account_kind: "ozon" }),
    fullOrder(2, "SO-2", { source_order_id: 57100, account: "Shop A", account_kind: "ozon" }),
    fullOrder(3, "SO-3"),
  ];
  return b.install();
}

/** All orders → the shop order → its marketplace order, where each line has its status. */
async function openOrder(number: string) {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-orders"));
  await user.click(await screen.findByRole("button", { name: number }));
  await user.click(await screen.findByTestId("shop-order-marketplace-link"));
  const detail = await screen.findByTestId("order-detail");
  await waitFor(() => expect(within(detail).getAllByTestId("line-status").length).toBeGreaterThan(0));
  return { user, detail };
}

const lineRow = (id: number) => document.querySelector(`[data-testid=order-line][data-line-id="${id}"]`) as HTMLElement;
const lineStatus = (id: number) => within(lineRow(id)).getByTestId<HTMLSelectElement>("line-status");
const selectedText = (select: HTMLSelectElement) => select.selectedOptions[0]?.textContent;

describe("a line's shop status", () => {
  it("each accepted line shows its status by name and changes it from its select", async () => {
    const b = withAccepted();
    const { user } = await openOrder("SO-1");
    expect(selectedText(lineStatus(1))).toBe("Accepted");
    expect(selectedText(lineStatus(2))).toBe("Accepted");
    // Only accepted lines move through the shop's statuses.
    expect(within(lineRow(3)).queryByTestId("line-status")).toBeNull();

    await user.selectOptions(lineStatus(1), "2");
    expect(selectedText(lineStatus(1))).toBe("Ordered from the supplier");
    expect(b.callsTo("set_line_status").map((c) => c.args)).toEqual([{ lines: [1], statusId: 2 }]);
    expect(await screen.findByText("1 line → «Ordered from the supplier»")).toBeInTheDocument();
    await waitFor(() => expect(b.lines[0]?.line.shop_status_id).toBe(2));
    expect(selectedText(lineStatus(2))).toBe("Accepted");
  });

  it("the order's bulk control moves the ticked lines, or all accepted ones when none is ticked", async () => {
    const b = withAccepted();
    const { user, detail } = await openOrder("SO-1");
    const apply = within(detail).getByTestId("order-status-apply");
    expect(apply).toHaveTextContent("Set for all 2 accepted lines");
    expect(apply).toBeDisabled();
    await user.click(within(lineRow(2)).getByTestId("line-select"));
    expect(apply).toHaveTextContent("Set for 1 ticked line");
    await user.selectOptions(within(detail).getByTestId("order-status-bulk"), "4");
    await user.click(apply);
    await waitFor(() => expect(selectedText(lineStatus(2))).toBe("Shipped"));

    await user.click(within(lineRow(2)).getByTestId("line-select"));
    await user.selectOptions(within(detail).getByTestId("order-status-bulk"), "5");
    await user.click(apply);
    await waitFor(() => expect(selectedText(lineStatus(1))).toBe("Delivered"));
    expect(b.callsTo("set_line_status").map((c) => c.args)).toEqual([
      { lines: [2], statusId: 4 },
      { lines: [1, 2], statusId: 5 },
    ]);
  });

  it("says which configured updates were not sent, and why, until the manager dismisses it", async () => {
    const b = withAccepted();
    b.pushTemplates.set(1, {
      ...emptyTemplates(),
      pushes: [
        { status_id: 2, level: "line", marketplace_status: "", comment: "Заказан, трек {tracking}" },
        { status_id: 2, level: "line", marketplace_status: "ship", comment: "" },
        { status_id: 2, level: "order", marketplace_status: "ship", comment: "" },
      ],
    });
    const { user, detail } = await openOrder("SO-2");
    // One accepted line: nothing to do in bulk.
    expect(within(detail).queryByTestId("order-status-bulk")).toBeNull();
    await user.selectOptions(lineStatus(4), "2");

    const warning = await screen.findByTestId("warning-notice");
    expect(warning).toHaveTextContent("Not sent to the marketplace:");
    expect(within(warning).getAllByTestId("warning-item").map((li) => li.textContent)).toEqual([
      "Order 0571-0001-1: comment not sent: no value yet for: {tracking}",
      "Order 0571-0001-1: the marketplace cannot be set to «ship» for single lines",
    ]);
    // What could go out did: the whole order is now "ordered", and Ozon ships whole postings.
    expect(await within(detail).findByTestId("outbox-row")).toHaveAttribute("data-state", "pending");
    await user.click(within(warning).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByTestId("warning-notice")).toBeNull();
  });

  it("a refused change is shown and the line keeps its status", async () => {
    const b = withAccepted();
    b.failures.set("set_line_status", {
      code: "invalid_transition",
      message: "Line 1 is not accepted: only accepted lines move through the shop's statuses",
    });
    const { user } = await openOrder("SO-1");
    await user.selectOptions(lineStatus(1), "3");
    expect(await screen.findByTestId("error-banner")).toHaveTextContent("Line 1 is not accepted");
    await waitFor(() => expect(selectedText(lineStatus(1))).toBe("Accepted"));
  });
});
