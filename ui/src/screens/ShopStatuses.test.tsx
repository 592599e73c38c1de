import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { ShopStatus } from "../bindings/ShopStatus";
import statusesEdit from "../test/fixtures/statuses_edit.json";
import statusesRenamed from "../test/fixtures/statuses_renamed.json";
import statusRefusals from "../test/fixtures/status_refusals.json";
import { recorded, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

/**
 * The engine's list: "Accepted", "Pre-order", "Confirmed", the six statuses a shop edits, then
 * "deleted", "transferred" and "problematic".
 */
async function openStatuses(count = 12) {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-settings"));
  const section = await screen.findByTestId("statuses");
  await waitFor(() => expect(within(section).getAllByTestId("status-row")).toHaveLength(count));
  return { user, section };
}

const statusRows = () => screen.getAllByTestId("status-row");
const statusRow = (i: number) => statusRows()[i] as HTMLElement;
const placeholders = () => screen.getAllByTestId<HTMLInputElement>("status-name").map((i) => i.placeholder);

describe("shop statuses in Settings", () => {
  it("lists the built-in statuses by their translated names, edits them and saves the list in order", async () => {
    const engine = serveRecorded(statusesEdit);
    const { user, section } = await openStatuses();
    expect(within(section).getByRole("heading")).toHaveTextContent("Order statuses");
    expect(placeholders()).toEqual([
      "Accepted",
      "Pre-order",
      "Confirmed",
      "Ordered from the supplier",
      "In stock",
      "Shipped",
      "Delivered",
      "Refused",
      "Removed",
      "Deleted",
      "Transferred",
      "Problematic",
    ]);
    expect(within(statusRow(1)).getByTestId("status-group")).toHaveValue("new");
    expect(within(statusRow(3)).getByTestId("status-group")).toHaveValue("in_work");
    expect(within(statusRow(3)).getByRole("option", { name: "In work" })).toBeInTheDocument();
    expect(screen.getByTestId("statuses-save")).toBeDisabled();

    // The shop words "ordered" its own way; a renamed built-in keeps its code.
    await user.type(within(statusRow(3)).getByTestId("status-name"), "Ordered at Emex");
    // "In stock" is not a step this shop has.
    await user.click(within(statusRow(4)).getByTestId("status-remove"));
    await user.click(screen.getByTestId("statuses-add"));
    const added = statusRow(11);
    expect(within(added).getByTestId("status-name")).toHaveAttribute("placeholder", "Status name");
    // A new status does not write off unless the shop ticks it.
    expect(within(added).getByTestId("status-writes-off")).not.toBeChecked();
    await user.type(within(added).getByTestId("status-name"), "Paid");
    await user.selectOptions(within(added).getByTestId("status-group"), "new");
    // Paid comes right after Accepted.
    for (let i = 0; i < 10; i++) await user.click(within(statusRow(11 - i)).getByTestId("status-up"));
    expect(within(statusRow(0)).getByTestId("status-up")).toBeDisabled();
    expect(within(statusRow(11)).getByTestId("status-down")).toBeDisabled();
    expect(screen.getByTestId("statuses-unsaved")).toBeInTheDocument();

    await user.click(screen.getByTestId("statuses-save"));
    await waitFor(() => expect(screen.queryByTestId("statuses-unsaved")).toBeNull());
    expect(engine.callsTo("save_shop_statuses").map((c) => c.args)).toEqual([
      {
        statuses: [
          { id: 1, code: "accepted", name: "", group: "new", position: 0, writes_off: false },
          { id: 0, code: null, name: "Paid", group: "new", position: 1, writes_off: false },
          { id: 10, code: "preorder", name: "", group: "new", position: 2, writes_off: false },
          { id: 11, code: "confirmed", name: "", group: "in_work", position: 3, writes_off: false },
          { id: 2, code: "ordered", name: "Ordered at Emex", group: "in_work", position: 4, writes_off: false },
          { id: 4, code: "shipped", name: "", group: "done", position: 5, writes_off: true },
          { id: 5, code: "delivered", name: "", group: "done", position: 6, writes_off: true },
          { id: 6, code: "refused", name: "", group: "refused", position: 7, writes_off: false },
          { id: 7, code: "removed", name: "", group: "removed", position: 8, writes_off: false },
          { id: 8, code: "deleted", name: "", group: "removed", position: 9, writes_off: false },
          { id: 9, code: "transferred", name: "", group: "in_work", position: 10, writes_off: false },
          { id: 12, code: "problematic", name: "", group: "in_work", position: 11, writes_off: false },
        ],
      },
    ]);
    // The saved list comes back with the new status's id.
    expect(statusRow(1)).not.toHaveAttribute("data-status-id", "0");
    expect(await screen.findByText("Statuses saved")).toBeInTheDocument();
  });

  it("says which statuses write the items off and saves the shop's choice", async () => {
    // The engine answers a save with the list as sent: the scenario recorded no such save.
    const engine = serveRecorded(statusesEdit, { save_shop_statuses: (args) => args.statuses });
    const { user } = await openStatuses();
    const writesOff = (i: number) => within(statusRow(i)).getByRole("checkbox", { name: "Writes off the items" });
    const writingOff = () =>
      statusRows()
        .filter((row) => within(row).getByTestId<HTMLInputElement>("status-writes-off").checked)
        .map((row) => within(row).getByTestId<HTMLInputElement>("status-name").placeholder);
    // The done group writes off by default.
    expect(writingOff()).toEqual(["Shipped", "Delivered"]);
    expect(writesOff(5)).toHaveAccessibleDescription(/quantity changes from a web store no longer change the order/);

    // The shop decides: here "In stock" writes the items off and "Shipped" does not.
    await user.click(writesOff(4));
    await user.click(writesOff(5));
    expect(writingOff()).toEqual(["In stock", "Delivered"]);
    expect(screen.getByTestId("statuses-unsaved")).toBeInTheDocument();
    await user.click(screen.getByTestId("statuses-save"));
    await waitFor(() => expect(screen.queryByTestId("statuses-unsaved")).toBeNull());
    const [saved] = engine.callsTo("save_shop_statuses").map((c) => c.args.statuses as ShopStatus[]);
    expect(saved?.map((s) => [s.code, s.writes_off])).toEqual([
      ["accepted", false],
      ["preorder", false],
      ["confirmed", false],
      ["ordered", false],
      ["in_stock", true],
      ["shipped", false],
      ["delivered", true],
      ["refused", false],
      ["removed", false],
      ["deleted", false],
      ["transferred", false],
      ["problematic", false],
    ]);
    expect(writingOff()).toEqual(["In stock", "Delivered"]);
  });

  it("shows the engine's refusals: no status left in “new”, a removed status that lines are in", async () => {
    // The engine's answers to these very saves, with an accepted line sitting in "Accepted".
    const [noNew, unnamed, lineInRemoved] = statusRefusals.answers
      .filter((a) => a.cmd === "save_shop_statuses")
      .map((a) => a.error?.message ?? "");
    serveRecorded(statusRefusals);
    const { user } = await openStatuses();
    await user.selectOptions(within(statusRow(0)).getByTestId("status-group"), "in_work");
    await user.click(screen.getByTestId("statuses-save"));
    expect(await screen.findByTestId("statuses-problem")).toHaveTextContent(noNew ?? "");
    await user.selectOptions(within(statusRow(0)).getByTestId("status-group"), "new");
    await user.click(screen.getByTestId("statuses-add"));
    await user.click(screen.getByTestId("statuses-save"));
    expect(await screen.findByTestId("statuses-problem")).toHaveTextContent(unnamed ?? "");
    await user.click(within(statusRow(12)).getByTestId("status-remove"));

    // Another "new" status would let the list save but for the line in "Accepted" ("Pre-order",
    // new already, is for pre-orders only: the first refusal above stands with it).
    await user.selectOptions(within(statusRow(2)).getByTestId("status-group"), "new");
    await user.click(within(statusRow(0)).getByTestId("status-remove"));
    await user.click(screen.getByTestId("statuses-save"));
    expect(await screen.findByTestId("statuses-problem")).toHaveTextContent(lineInRemoved ?? "");
    expect(screen.getByTestId("statuses-unsaved")).toBeInTheDocument();
    // The engine kept its list as it was.
    const after = statusRefusals.answers.filter((a) => a.cmd === "shop_statuses").at(-1)?.ok as ShopStatus[];
    expect(after.map((s) => s.code)).toEqual([
      "accepted",
      "preorder",
      "confirmed",
      "ordered",
      "in_stock",
      "shipped",
      "delivered",
      "refused",
      "removed",
      "deleted",
      "transferred",
      "problematic",
    ]);
  });

  it("names the built-in statuses in the manager's language, keeping the shop's own names", async () => {
    // The shop named "shipped" itself.
    const shipped = recorded<ShopStatus[]>(statusesRenamed, "shop_statuses").find((s) => s.code === "shipped");
    expect(shipped?.name).toBe("Передан в СДЭК");
    serveRecorded(statusesRenamed);
    localStorage.setItem("ordertray.lang", "ru");
    await openStatuses();
    expect(screen.getByText("Статусы заказов")).toBeInTheDocument();
    expect(placeholders().slice(0, 6)).toEqual(["Принят", "Предзаказ", "Подтверждён", "Заказан у поставщика", "На складе", "Отгружен"]);
    expect(placeholders().at(-1)).toBe("Проблемный");
    expect(within(statusRow(5)).getByTestId("status-name")).toHaveValue("Передан в СДЭК");
    expect(within(statusRow(5)).getByRole("option", { name: "Выполнен" })).toBeInTheDocument();
    expect(within(statusRow(5)).getByRole("checkbox", { name: "Списывает товары" })).toBeChecked();
  });
});
