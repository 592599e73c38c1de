// The CSV export dialog on the engine's recorded answers (export_*.json, ui_fixtures.rs
// `export_world` and the scenarios after it): six hand-made orders, files written into a folder
// that reads as /home/manager. Which orders and bytes an export writes, the cancel between batches
// and the words of a failure are the engine's, tested in Rust (engine tests/cabinet.rs
// `csv_exports_have_exact_bytes_in_each_encoding_and_delimiter`, `a_cancelled_export_leaves_no_file`).
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { AppSettings } from "../bindings/AppSettings";
import type { EngineEvent } from "../bindings/EngineEvent";
import type { ExportOptions } from "../bindings/ExportOptions";
import cancelledFixture from "../test/fixtures/export_cancelled.json";
import failedFixture from "../test/fixtures/export_failed.json";
import langFixture from "../test/fixtures/export_lang.json";
import optionsFixture from "../test/fixtures/export_options.json";
import presetFixture from "../test/fixtures/export_preset.json";
import replaceFixture from "../test/fixtures/export_replace.json";
import typedFixture from "../test/fixtures/export_typed_path.json";
import { type Fixture, type InFlight, type Override, recorded, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { ApiError } from "../ipcCall";
import { defaultFileName, isCancelled, isFullPath, moveColumn, toggleColumn } from "./ExportDialog";

/** Where the scenarios' exports went (ui_fixtures.rs `export_world`), and what the save dialog answers. */
const CHOSEN = "/home/manager/orders.csv";

/**
 * The shell's own commands, answered here: the native save dialog returns `chosen()` (null: the
 * manager closed it); opening a written file or its folder hands it to the system.
 */
function shell(chosen: () => string | null = () => CHOSEN): Record<string, Override> {
  return { "plugin:dialog|save": () => chosen(), open_export: () => null, show_export_in_folder: () => null };
}

async function openExport(fixture: Fixture, overrides: Record<string, Override> = shell(), inFlight: Record<string, InFlight> = {}) {
  const served = serveRecorded(fixture, overrides, inFlight);
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-orders"));
  await user.click(await screen.findByTestId("cabinet-export-open"));
  return { served, user, dialog: await screen.findByTestId("export-dialog") };
}

type Served = ReturnType<typeof serveRecorded>;
const exported = (s: Served) => s.callsTo("export_csv").map((c) => c.args as { path: string; options: ExportOptions; overwrite: boolean });
const presetsSaved = (s: Served) => s.callsTo("save_settings").map((c) => (c.args as { settings: AppSettings }).settings);

describe("CSV export", { timeout: 20_000 }, () => {
  it("builds the options from the dialog, asks where to save, and shows what was written", async () => {
    const { served, user, dialog } = await openExport(optionsFixture);
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
    expect(done).toHaveTextContent(CHOSEN);
    // SO-4's recipient has three characters CP1251 lacks (the engine counts them).
    expect(done).toHaveTextContent("3 characters not in CP1251 were written as ?");
    expect(served.callsTo("plugin:dialog|save")[0]?.args).toMatchObject({
      options: { defaultPath: defaultFileName(), filters: [{ name: "CSV file", extensions: ["csv"] }] },
    });
    expect(exported(served)).toEqual([
      {
        path: CHOSEN,
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
    expect(served.callsTo("open_export").map((c) => c.args)).toEqual([{ path: CHOSEN }]);
    expect(served.callsTo("show_export_in_folder").map((c) => c.args)).toEqual([{ path: CHOSEN }]);
  });

  it("the file's words follow the UI's language", async () => {
    localStorage.setItem("ordertray.lang", "pl");
    const { served, user, dialog } = await openExport(langFixture);
    await user.click(within(dialog).getByTestId("export-start"));
    await screen.findByTestId("export-done");
    expect(exported(served)[0]?.options).toMatchObject({ lang: "pl", delimiter: "comma", encoding: "utf-8", filter: { period: "all" } });
    expect(within(dialog).getByTestId("export-done")).not.toHaveTextContent("CP1251");
  });

  it("saves the options as a named preset in the settings, and loads or deletes it", async () => {
    const { served, user, dialog } = await openExport(presetFixture);
    await user.click(within(dialog).getByTestId("export-advanced"));
    await user.selectOptions(within(dialog).getByTestId("export-delimiter"), "tab");
    await user.click(within(dialog).getByTestId("export-column-item_name"));
    await user.type(within(dialog).getByTestId("export-preset-name"), "Accounting");
    await user.click(within(dialog).getByTestId("export-preset-save"));
    expect(await screen.findByText("Preset «Accounting» saved")).toBeInTheDocument();
    const saved = presetsSaved(served)[0];
    expect(saved?.export_presets).toEqual([
      { name: "Accounting", options: expect.objectContaining({ delimiter: "tab", lang: "en" }) },
    ]);
    expect(saved?.export_presets[0]?.options.columns.at(-1)).toBe("item_name");
    // The rest of the settings are sent as they were.
    const before = recorded<AppSettings>(presetFixture, "get_settings");
    expect({ ...saved, export_presets: [] }).toEqual({ ...before, export_presets: [] });

    await user.click(within(dialog).getByTestId("export-close"));
    await user.click(screen.getByTestId("cabinet-export-open"));
    const again = await screen.findByTestId("export-dialog");
    await user.selectOptions(within(again).getByTestId("export-preset"), "Accounting");
    await user.click(within(again).getByTestId("export-advanced"));
    expect(within(again).getByTestId("export-delimiter")).toHaveValue("tab");
    expect(within(again).getByTestId("export-column-item_name")).toBeChecked();
    await user.click(within(again).getByTestId("export-start"));
    await screen.findByTestId("export-done");
    expect(exported(served)[0]?.options).toEqual(saved?.export_presets[0]?.options);

    await user.click(within(again).getByTestId("export-preset-delete"));
    await waitFor(() => expect(presetsSaved(served)).toHaveLength(2));
    expect(presetsSaved(served)[1]?.export_presets).toEqual([]);
    await waitFor(() => expect(within(again).queryByRole("option", { name: "Accounting" })).toBeNull());
  });

  it("knows a cancel by the engine's words, whatever language its message is in", () => {
    const cancelled = new ApiError("conflict", "Export cancelled", { kind: "export_cancelled" });
    // As the manager reading Russian gets it.
    Object.defineProperty(cancelled, "message", { value: "Выгрузка отменена" });
    expect(isCancelled(cancelled)).toBe(true);
    expect(isCancelled(new ApiError("conflict", "Another export is running"))).toBe(false);
  });

  it("shows the progress and can be cancelled", async () => {
    let cancelled = () => {};
    const cancelClicked = new Promise<void>((r) => (cancelled = r));
    const [progressEvent] = recorded<EngineEvent[]>(cancelledFixture, "@events");
    const overrides = {
      ...shell(),
      cancel_export: () => {
        cancelled();
        return null;
      },
    };
    // The export is under way: its first batch is reported, then it waits for Cancel (the engine
    // stops before the next batch).
    const inFlight = {
      export_csv: async () => {
        await served.emit(progressEvent as EngineEvent);
        await cancelClicked;
      },
    };
    const { served, user, dialog } = await openExport(cancelledFixture, overrides, inFlight);
    await user.click(within(dialog).getByTestId("export-start"));
    const progress = await screen.findByTestId("export-progress");
    await waitFor(() => expect(progress).toHaveTextContent("1000 of 10000 orders"));
    expect(within(progress).getByRole("progressbar")).toHaveAttribute("value", "1000");
    expect(within(dialog).getByTestId("export-start")).toBeDisabled();
    await user.click(within(progress).getByTestId("export-cancel"));
    expect(served.callsTo("cancel_export")).toHaveLength(1);
    expect(await screen.findByTestId("export-cancelled")).toHaveTextContent("Export cancelled");
    expect(screen.queryByTestId("export-done")).toBeNull();
    expect(screen.queryByTestId("export-progress")).toBeNull();
  });

  it("does nothing when the save dialog is closed, and shows a failure as it is", async () => {
    let chosen: string | null = null;
    const { served, user, dialog } = await openExport(failedFixture, shell(() => chosen));
    await user.click(within(dialog).getByTestId("export-start"));
    await waitFor(() => expect(served.callsTo("plugin:dialog|save")).toHaveLength(1));
    expect(served.callsTo("export_csv")).toEqual([]);
    chosen = "/home/manager/missing/orders.csv";
    await user.click(within(dialog).getByTestId("export-start"));
    expect(await screen.findByTestId("export-error")).toHaveTextContent(
      "Could not write /home/manager/missing/orders.csv.part: No such file or directory",
    );
  });

  it("writes to a typed path without the file chooser, and Choose… only fills the path in", async () => {
    const typed = "/home/manager/Заказы.csv";
    const { served, user, dialog } = await openExport(typedFixture);
    const path = within(dialog).getByTestId("export-path");
    expect(path.closest("label")).toHaveTextContent("Save to");
    await user.type(path, typed);
    await user.click(within(dialog).getByTestId("export-start"));
    expect(await screen.findByTestId("export-done-path")).toHaveTextContent(typed);
    expect(served.callsTo("plugin:dialog|save")).toEqual([]);
    expect(exported(served).map((c) => [c.path, c.overwrite])).toEqual([[typed, false]]);

    // Choose… offers the typed path and puts the chosen one in the field; Export then writes there.
    await user.click(within(dialog).getByTestId("export-choose"));
    await waitFor(() => expect(path).toHaveValue(CHOSEN));
    expect(served.callsTo("plugin:dialog|save")[0]?.args).toMatchObject({ options: { defaultPath: typed } });
    expect(exported(served)).toHaveLength(1);
    // Enter in the field exports, like the button.
    await user.type(path, "{Enter}");
    await waitFor(() => expect(exported(served)).toHaveLength(2));
    expect(exported(served)[1]?.path).toBe(CHOSEN);
    expect(await screen.findByTestId("export-done-path")).toHaveTextContent(CHOSEN);
    expect(served.callsTo("plugin:dialog|save")).toHaveLength(1);
  });

  it("asks before replacing a file a typed path names, and replaces it only when told", async () => {
    const { served, user, dialog } = await openExport(replaceFixture);
    await user.type(within(dialog).getByTestId("export-path"), CHOSEN);
    await user.click(within(dialog).getByTestId("export-start"));
    await screen.findByTestId("export-done");
    await user.click(within(dialog).getByTestId("export-start"));
    const asked = await within(dialog).findByTestId("export-exists");
    expect(asked).toHaveTextContent(`${CHOSEN} already exists. Replace it?`);
    expect(within(dialog).queryByTestId("export-done")).toBeNull();
    await user.click(within(asked).getByTestId("export-replace"));
    expect(await screen.findByTestId("export-done-path")).toHaveTextContent(CHOSEN);
    expect(within(dialog).queryByTestId("export-exists")).toBeNull();
    expect(exported(served).map((c) => [c.path, c.overwrite])).toEqual([
      [CHOSEN, false],
      [CHOSEN, false],
      [CHOSEN, true],
    ]);
  });

  it("asks for a full path instead of writing where the app happens to run", async () => {
    localStorage.setItem("ordertray.lang", "ru");
    const { served, user, dialog } = await openExport(langFixture);
    await user.type(within(dialog).getByTestId("export-path"), "orders.csv");
    await user.click(within(dialog).getByTestId("export-start"));
    expect(await within(dialog).findByTestId("export-path-problem")).toHaveTextContent("Укажите полный путь к файлу");
    expect(served.callsTo("export_csv")).toEqual([]);
    expect(served.callsTo("plugin:dialog|save")).toEqual([]);
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
