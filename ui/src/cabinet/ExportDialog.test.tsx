import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { ExportOptions } from "../bindings/ExportOptions";
import { accountView } from "../test/backend";
import { CabinetBackend, fullOrder } from "../test/cabinet";
import { renderWithProviders } from "../test/render";
import { defaultFileName, isFullPath, moveColumn, toggleColumn } from "./ExportDialog";

function withOrders(): CabinetBackend {
  const b = new CabinetBackend();
  b.accounts = [accountView(1, "Shop A")];
  b.orders = [1, 2, 3, 4, 5, 6].map((id) => fullOrder(id, `SO-${id}`));
  return b.install();
}

async function openExport() {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-orders"));
  await user.click(await screen.findByTestId("cabinet-export-open"));
  return { user, dialog: await screen.findByTestId("export-dialog") };
}

const exported = (b: CabinetBackend) => b.callsTo("export_csv").map((c) => c.args as { path: string; options: ExportOptions });

describe("CSV export", { timeout: 20_000 }, () => {
  it("builds the options from the dialog, asks where to save, and shows what was written", async () => {
    const b = withOrders();
    b.replacedChars = 3;
    const { user, dialog } = await openExport();
    await user.selectOptions(within(dialog).getByTestId("export-status"), "4");
    await user.selectOptions(within(dialog).getByTestId("export-period"), "3months");
    await user.selectOptions(within(dialog).getByTestId("export-order-type"), "through");
    await user.click(within(dialog).getByTestId("export-advanced"));
    await user.selectOptions(within(dialog).getByTestId("export-delimiter"), "semicolon");
    await user.selectOptions(within(dialog).getByTestId("export-encoding"), "cp1251");
    await user.selectOptions(within(dialog).getByTestId("export-payment"), "prepaid");
    await user.selectOptions(within(dialog).getByTestId("export-paid"), "yes");
    // Column titles are the manager's words; item fields are their own group.
    expect(within(dialog).getByTestId("export-column-item_article").parentElement).toHaveTextContent("Article");
    await user.click(within(dialog).getByTestId("export-column-currency"));
    await user.click(within(dialog).getByTestId("export-column-item_article"));
    await user.click(within(dialog).getByTestId("export-column-item_quantity"));
    await user.click(within(dialog).getByRole("button", { name: "Move up: Quantity" }));
    await user.click(within(dialog).getByTestId("export-start"));

    const done = await screen.findByTestId("export-done");
    expect(done).toHaveTextContent("/home/manager/orders.csv");
    expect(done).toHaveTextContent("3 characters not in CP1251 were written as ?");
    expect(b.callsTo("plugin:dialog|save")[0]?.args).toMatchObject({
      options: { defaultPath: defaultFileName(), filters: [{ name: "CSV file", extensions: ["csv"] }] },
    });
    expect(exported(b)).toEqual([
      {
        path: "/home/manager/orders.csv",
        options: {
          filter: { order_type: "through", status_id: 4, period: "3months", payment: "prepaid", paid: true },
          delimiter: "semicolon",
          encoding: "cp1251",
          columns: [
            "number",
            "created_at",
            "status",
            "marketplace",
            "recipient_name",
            "recipient_phone",
            "address",
            "payment_method",
            "paid",
            "total",
            "item_quantity",
            "item_article",
          ],
          lang: "en",
        },
        // The system's save dialog asked about an existing file itself.
        overwrite: true,
      },
    ]);

    await user.click(within(done).getByTestId("export-open-file"));
    await user.click(within(done).getByTestId("export-show-folder"));
    expect(b.callsTo("open_export").map((c) => c.args)).toEqual([{ path: "/home/manager/orders.csv" }]);
    expect(b.callsTo("show_export_in_folder").map((c) => c.args)).toEqual([{ path: "/home/manager/orders.csv" }]);
  });

  it("the file's words follow the UI's language", async () => {
    const b = withOrders();
    localStorage.setItem("ordertray.lang", "pl");
    const { user, dialog } = await openExport();
    await user.click(within(dialog).getByTestId("export-start"));
    await screen.findByTestId("export-done");
    expect(exported(b)[0]?.options).toMatchObject({ lang: "pl", delimiter: "comma", encoding: "utf-8", filter: { period: "all" } });
    expect(within(dialog).getByTestId("export-done")).not.toHaveTextContent("CP1251");
  });

  it("saves the options as a named preset in the settings, and loads or deletes it", async () => {
    const b = withOrders();
    const { user, dialog } = await openExport();
    await user.click(within(dialog).getByTestId("export-advanced"));
    await user.selectOptions(within(dialog).getByTestId("export-delimiter"), "tab");
    await user.click(within(dialog).getByTestId("export-column-item_name"));
    await user.type(within(dialog).getByTestId("export-preset-name"), "Accounting");
    await user.click(within(dialog).getByTestId("export-preset-save"));
    expect(await screen.findByText("Preset «Accounting» saved")).toBeInTheDocument();
    const saved = b.settings.export_presets;
    expect(saved).toEqual([
      { name: "Accounting", options: expect.objectContaining({ delimiter: "tab", lang: "en" }) },
    ]);
    expect(saved[0]?.options.columns.at(-1)).toBe("item_name");
    // The rest of the settings are kept as they were.
    expect(b.settings.delivery_methods).toHaveLength(2);

    await user.click(within(dialog).getByTestId("export-close"));
    await user.click(screen.getByTestId("cabinet-export-open"));
    const again = await screen.findByTestId("export-dialog");
    await user.selectOptions(within(again).getByTestId("export-preset"), "Accounting");
    await user.click(within(again).getByTestId("export-advanced"));
    expect(within(again).getByTestId("export-delimiter")).toHaveValue("tab");
    expect(within(again).getByTestId("export-column-item_name")).toBeChecked();
    await user.click(within(again).getByTestId("export-start"));
    await screen.findByTestId("export-done");
    expect(exported(b)[0]?.options).toEqual(saved[0]?.options);

    await user.click(within(again).getByTestId("export-preset-delete"));
    await waitFor(() => expect(b.settings.export_presets).toEqual([]));
  });

  it("shows the progress and can be cancelled", async () => {
    const b = withOrders();
    let release = () => {};
    b.exportGate = new Promise((r) => (release = r));
    const { user, dialog } = await openExport();
    await user.click(within(dialog).getByTestId("export-start"));
    const progress = await screen.findByTestId("export-progress");
    await waitFor(() => expect(progress).toHaveTextContent("3 of 6 orders"));
    expect(within(progress).getByRole("progressbar")).toHaveAttribute("value", "3");
    expect(within(dialog).getByTestId("export-start")).toBeDisabled();
    await user.click(within(progress).getByTestId("export-cancel"));
    expect(b.callsTo("cancel_export")).toHaveLength(1);
    release();
    expect(await screen.findByTestId("export-cancelled")).toHaveTextContent("Export cancelled");
    expect(screen.queryByTestId("export-done")).toBeNull();
    expect(screen.queryByTestId("export-progress")).toBeNull();
  });

  it("does nothing when the save dialog is closed, and shows a failure as it is", async () => {
    const b = withOrders();
    b.savePath = null;
    const { user, dialog } = await openExport();
    await user.click(within(dialog).getByTestId("export-start"));
    await waitFor(() => expect(b.callsTo("plugin:dialog|save")).toHaveLength(1));
    expect(b.callsTo("export_csv")).toEqual([]);
    b.savePath = "/readonly/orders.csv";
    b.failures.set("export_csv", { code: "storage", message: "Cannot write /readonly/orders.csv: permission denied" });
    await user.click(within(dialog).getByTestId("export-start"));
    expect(await screen.findByTestId("export-error")).toHaveTextContent("permission denied");
  });

  it("writes to a typed path without the file chooser, and Choose… only fills the path in", async () => {
    const b = withOrders();
    const { user, dialog } = await openExport();
    const path = within(dialog).getByTestId("export-path");
    expect(path.closest("label")).toHaveTextContent("Save to");
    await user.type(path, "/tmp/e2e/Заказы.csv");
    await user.click(within(dialog).getByTestId("export-start"));
    expect(await screen.findByTestId("export-done-path")).toHaveTextContent("/tmp/e2e/Заказы.csv");
    expect(b.callsTo("plugin:dialog|save")).toEqual([]);
    expect(exported(b).map((c) => c.path)).toEqual(["/tmp/e2e/Заказы.csv"]);

    // Choose… offers the typed path and puts the chosen one in the field; Export then writes there.
    await user.click(within(dialog).getByTestId("export-choose"));
    await waitFor(() => expect(path).toHaveValue("/home/manager/orders.csv"));
    expect(b.callsTo("plugin:dialog|save")[0]?.args).toMatchObject({ options: { defaultPath: "/tmp/e2e/Заказы.csv" } });
    expect(exported(b)).toHaveLength(1);
    // Enter in the field exports, like the button.
    await user.type(path, "{Enter}");
    await waitFor(() => expect(exported(b)).toHaveLength(2));
    expect(exported(b)[1]?.path).toBe("/home/manager/orders.csv");
    expect(b.callsTo("plugin:dialog|save")).toHaveLength(1);
  });

  it("asks before replacing a file a typed path names, and replaces it only when told", async () => {
    const b = withOrders();
    const { user, dialog } = await openExport();
    await user.type(within(dialog).getByTestId("export-path"), "/tmp/orders.csv");
    await user.click(within(dialog).getByTestId("export-start"));
    await screen.findByTestId("export-done");
    await user.click(within(dialog).getByTestId("export-start"));
    const asked = await within(dialog).findByTestId("export-exists");
    expect(asked).toHaveTextContent("/tmp/orders.csv already exists. Replace it?");
    expect(within(dialog).queryByTestId("export-done")).toBeNull();
    await user.click(within(asked).getByTestId("export-replace"));
    expect(await screen.findByTestId("export-done-path")).toHaveTextContent("/tmp/orders.csv");
    expect(within(dialog).queryByTestId("export-exists")).toBeNull();
    expect(b.callsTo("export_csv").map((c) => [c.args.path, c.args.overwrite])).toEqual([
      ["/tmp/orders.csv", false],
      ["/tmp/orders.csv", false],
      ["/tmp/orders.csv", true],
    ]);
  });

  it("asks for a full path instead of writing where the app happens to run", async () => {
    const b = withOrders();
    localStorage.setItem("ordertray.lang", "ru");
    const { user, dialog } = await openExport();
    await user.type(within(dialog).getByTestId("export-path"), "orders.csv");
    await user.click(within(dialog).getByTestId("export-start"));
    expect(await within(dialog).findByTestId("export-path-problem")).toHaveTextContent("Укажите полный путь к файлу");
    expect(b.callsTo("export_csv")).toEqual([]);
    expect(b.callsTo("plugin:dialog|save")).toEqual([]);
    // Correcting the path clears the problem.
    await user.type(within(dialog).getByTestId("export-path"), "x");
    expect(within(dialog).queryByTestId("export-path-problem")).toBeNull();
  });

  it("a full path starts at a root: / on Linux and macOS, a drive or a share on Windows", () => {
    expect(isFullPath("/home/m/orders.csv")).toBe(true);
    expect(isFullPath("C:\\Users\\m\\orders.csv")).toBe(true);
    expect(isFullPath("d:/orders.csv")).toBe(true);
    expect(isFullPath("\\\\server\\share\\orders.csv")).toBe(true);
    expect(isFullPath("orders.csv")).toBe(false);
    expect(isFullPath("~/orders.csv")).toBe(false);
    expect(isFullPath("C:orders.csv")).toBe(false);
  });

  it("column helpers: ticking adds at the end, moving swaps with the neighbour", () => {
    expect(toggleColumn(["number", "total"], "paid")).toEqual(["number", "total", "paid"]);
    expect(toggleColumn(["number", "total"], "number")).toEqual(["total"]);
    expect(moveColumn(["number", "total", "paid"], "paid", -1)).toEqual(["number", "paid", "total"]);
    expect(moveColumn(["number", "total"], "number", -1)).toEqual(["number", "total"]);
    expect(defaultFileName(new Date(2026, 0, 5))).toBe("orders-2026-01-05.csv");
  });
});
