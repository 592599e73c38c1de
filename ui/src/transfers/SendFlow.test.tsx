import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { CabinetRow } from "../bindings/CabinetRow";
import type { OrderTransferView } from "../bindings/OrderTransferView";
import { BulkBar } from "../cabinet/BulkBar";
import { serveRecorded, type Override } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { crmTarget, orderTransfer, parcelOnItsWay, refusedByShiptor, row, sentToCrm, shiptorTarget } from "../test/transfers";
import { sendingFinished } from "./queries";
import { SendFlowPanel, useSendFlow } from "./SendFlow";

const NOTHING = { answers: [] };
const selection = [row(1, "A-1"), row(2, "A-2"), row(3, "A-3")];

/** The cabinet's bulk bar with the cabinet's sending, as CabinetScreen puts them together. */
function Cabinet({ rows }: { rows: readonly CabinetRow[] }) {
  const flow = useSendFlow();
  return (
    <>
      <BulkBar rows={rows} statuses={[]} sendFlow={flow} onDone={vi.fn()} />
      <SendFlowPanel flow={flow} />
    </>
  );
}

function serve(overrides: Record<string, Override>) {
  return serveRecorded(NOTHING, { transfer_targets: () => [crmTarget, shiptorTarget], ...overrides });
}

/** Opens "Send to ▾" and picks the target with the keyboard only. */
async function sendWithKeys(user: ReturnType<typeof userEvent.setup>, targetName: string) {
  const menu = screen.getByRole("button", { name: /Send to/ });
  await waitFor(() => expect(menu).toBeEnabled());
  menu.focus();
  await user.keyboard("{Enter}");
  const items = within(screen.getByRole("menu")).getAllByRole("menuitem");
  expect(items[0]).toHaveFocus();
  while (document.activeElement?.textContent !== targetName) await user.keyboard("{ArrowDown}");
  await user.keyboard("{Enter}");
}

describe("a sending's progress", () => {
  it("is finished once none of its orders is pending; an order no longer listed waits for nothing", () => {
    const pending = { ...sentToCrm, state: "pending" as const, remote_id: null };
    const a = orderTransfer(1, "A-1", sentToCrm);
    expect(sendingFinished([1, 2], undefined)).toBe(false);
    expect(sendingFinished([1, 2], [a, orderTransfer(2, "A-2", pending)])).toBe(false);
    expect(sendingFinished([1, 2], [a, orderTransfer(2, "A-2", sentToCrm)])).toBe(true);
    // Order 2 was deleted while it waited: its sending was dropped with its transfer row.
    expect(sendingFinished([1, 2], [a])).toBe(true);
  });
});

describe("sending the selection to a target", () => {
  it("asks first about orders the engine holds back, naming each reason, and sends them all again confirmed", async () => {
    const b = serve({
      send_to_target: (args) =>
        args.confirmed
          ? { queued: [1, 2, 3], to_confirm: [] }
          : {
              queued: [],
              to_confirm: [
                { order_id: 1, number: "A-1", reason: { type: "ships_twice", other: "Our CDEK" } },
                { order_id: 2, number: "A-2", reason: { type: "not_paid" } },
              ],
            },
      transfer_status: () => [],
    });
    const user = userEvent.setup();
    renderWithProviders(<Cabinet rows={selection} />);
    await sendWithKeys(user, "Shiptor parcels");

    const dialog = await screen.findByRole("dialog", { name: "Send to Shiptor parcels?" });
    expect(within(dialog).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "Order A-1 already went to Our CDEK, which ships it too: it could be shipped twice.",
      "Order A-2 is to be paid online but is not paid.",
    ]);
    // Cancel has the focus: Enter at once sends nothing.
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
    expect(b.callsTo("send_to_target").map((c) => c.args)).toEqual([{ accountId: 22, ids: [1, 2, 3], confirmed: false }]);

    await user.click(within(dialog).getByRole("button", { name: "Send anyway" }));
    await waitFor(() =>
      expect(b.callsTo("send_to_target").map((c) => c.args)).toEqual([
        { accountId: 22, ids: [1, 2, 3], confirmed: false },
        { accountId: 22, ids: [1, 2, 3], confirmed: true },
      ]),
    );
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(await screen.findByText("3 orders queued for Shiptor parcels")).toBeInTheDocument();
  });

  it("a cancelled confirmation sends nothing", async () => {
    const b = serve({
      send_to_target: () => ({ queued: [], to_confirm: [{ order_id: 2, number: "A-2", reason: { type: "not_paid" } }] }),
    });
    const user = userEvent.setup();
    renderWithProviders(<Cabinet rows={selection} />);
    await sendWithKeys(user, "Our CRM");
    await screen.findByRole("dialog");
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(b.callsTo("send_to_target")).toHaveLength(1);
  });

  it("shows n of N sent while orders go, then how many went through and each problematic order in the target's words, with Send again for those", async () => {
    const pending = { ...sentToCrm, state: "pending" as const, remote_id: null };
    let reads = 0;
    const status = (): OrderTransferView[] => {
      reads += 1;
      if (reads === 1)
        return [orderTransfer(1, "A-1", sentToCrm), orderTransfer(2, "A-2", pending), orderTransfer(3, "A-3", pending)];
      return [
        orderTransfer(1, "A-1", { ...parcelOnItsWay, account_id: 21 }),
        orderTransfer(2, "A-2", { ...refusedByShiptor, account_id: 21, target: "Our CRM" }),
        orderTransfer(3, "A-3", sentToCrm),
      ];
    };
    const b = serve({ send_to_target: (args) => ({ queued: args.ids, to_confirm: [] }), transfer_status: status });
    const user = userEvent.setup();
    renderWithProviders(<Cabinet rows={selection} />);
    await sendWithKeys(user, "Our CRM");

    const bar = await screen.findByTestId("send-progress-bar");
    expect(bar).toHaveTextContent("1 of 3 sent");
    expect(within(bar).getByRole("progressbar")).toHaveAttribute("value", "1");

    const summary = await screen.findByTestId("send-summary", {}, { timeout: 3000 });
    expect(within(summary).getByTestId("send-summary-transferred")).toHaveTextContent("2 orders transferred");
    expect(within(summary).getByTestId("send-summary-problematic")).toHaveTextContent("A-2: Shiptor parcels: Не указан индекс");
    expect(b.callsTo("transfer_status").every((c) => JSON.stringify(c.args) === JSON.stringify({ ids: [1, 2, 3], accountId: 21 }))).toBe(true);
    // Finished: no more reading.
    const reading = b.callsTo("transfer_status").length;
    await new Promise((r) => setTimeout(r, 1200));
    expect(b.callsTo("transfer_status")).toHaveLength(reading);

    const again = within(summary).getByRole("button", { name: "Send again" });
    expect(again).toHaveFocus();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(b.callsTo("send_to_target").at(-1)?.args).toEqual({ accountId: 21, ids: [2], confirmed: false }));
  });

  it("Get reads back the selection from every target and says what came of it", async () => {
    const b = serve({
      refresh_transfers: () => ({
        read: 2,
        gone: 1,
        failed: [
          {
            order_id: 3,
            number: "A-3",
            target: "Shiptor parcels",
            error: { code: "network", message: "Shiptor did not answer", words: null },
          },
        ],
      }),
    });
    const user = userEvent.setup();
    renderWithProviders(<Cabinet rows={selection} />);
    await user.click(screen.getByRole("button", { name: "Get" }));
    await waitFor(() => expect(b.callsTo("refresh_transfers").map((c) => c.args)).toEqual([{ ids: [1, 2, 3], accountId: null }]));
    const notice = await screen.findByRole("alert");
    expect(notice).toHaveTextContent("Read back: 2 orders; 1 no longer there. Could not be read back:");
    expect(notice).toHaveTextContent("A-3 (Shiptor parcels): Shiptor did not answer");
  });
});

describe("deleting orders that went to a target which deletes", () => {
  const sent = [row(1, "A-1", { transferred_to: "Shiptor parcels" }), row(2, "A-2")];

  it("names the target, says the order comes back only here, and deletes there only when asked", async () => {
    const b = serve({
      transfer_status: () => [orderTransfer(1, "A-1", parcelOnItsWay)],
      delete_shop_orders: () => null,
      delete_at_targets: () => 1,
    });
    const user = userEvent.setup();
    renderWithProviders(<Cabinet rows={sent} />);
    await user.click(screen.getByTestId("bulk-delete"));
    expect(await screen.findByTestId("bulk-delete-there-hint")).toHaveTextContent(
      "Shiptor parcels can delete (or cancel) these orders there too. An order deleted there can be restored only here, in Ordertray.",
    );
    expect(b.callsTo("transfer_status").map((c) => c.args)).toEqual([{ ids: [1], accountId: null }]);
    expect(b.callsTo("delete_shop_orders")).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Delete here and at Shiptor parcels" }));
    await waitFor(() => expect(b.callsTo("delete_at_targets").map((c) => c.args)).toEqual([{ ids: [1, 2] }]));
    expect(b.callsTo("delete_shop_orders").map((c) => c.args)).toEqual([{ ids: [1, 2], removeLinks: false }]);
    const order = b.calls.map((c) => c.cmd).filter((cmd) => cmd.startsWith("delete"));
    expect(order).toEqual(["delete_shop_orders", "delete_at_targets"]);
  });

  it("deletes here only when so chosen", async () => {
    const b = serve({ transfer_status: () => [orderTransfer(1, "A-1", parcelOnItsWay)], delete_shop_orders: () => null });
    const user = userEvent.setup();
    renderWithProviders(<Cabinet rows={sent} />);
    await user.click(screen.getByTestId("bulk-delete"));
    await user.click(await screen.findByRole("button", { name: "Delete here only" }));
    await waitFor(() => expect(b.callsTo("delete_shop_orders")).toHaveLength(1));
    expect(b.callsTo("delete_at_targets")).toEqual([]);
  });

  it("asks nothing about targets that keep their record (a CRM)", async () => {
    const b = serve({ transfer_status: () => [orderTransfer(1, "A-1", sentToCrm)] });
    const user = userEvent.setup();
    renderWithProviders(<Cabinet rows={[row(1, "A-1", { transferred_to: "Our CRM" })]} />);
    await user.click(screen.getByTestId("bulk-delete"));
    expect(await screen.findByTestId("bulk-delete-warning")).toHaveTextContent("Order A-1 was transferred to Our CRM.");
    await waitFor(() => expect(b.callsTo("transfer_status")).toHaveLength(1));
    await waitFor(() => expect(screen.getByRole("button", { name: "Delete anyway" })).toBeInTheDocument());
    expect(screen.queryByTestId("bulk-delete-there")).toBeNull();
  });
});
