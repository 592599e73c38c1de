import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { emit } from "@tauri-apps/api/event";
import type { EngineEvent } from "../bindings/EngineEvent";
import deleteFixture from "../test/fixtures/pricelists_delete.json";
import importFixture from "../test/fixtures/pricelists_import.json";
import rawFixture from "../test/fixtures/pricelists_raw.json";
import reimportFixture from "../test/fixtures/pricelists_reimport.json";
import { type Fixture, type InFlight, type Override, recorded, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

/**
 * The engine's scenarios (ui_fixtures.rs, pricelists_*), each with an Ozon account and a folder
 * of supplier files (read as /data): `supplier.csv` (titles the engine knows, three rows it
 * refuses) previewed and imported as "Supplier A", with previews of `raw.csv` (no titles),
 * `evil.csv` (HTML in a cell) and a file that does not exist; `raw.csv` imported; "Supplier A"
 * re-imported from `new.csv`; "Supplier A" deleted. The import's progress is the engine's event as
 * recorded, sent while the import is held. Reading files and offers is tested in Rust
 * (core price list and engine import tests). The file chooser is the shell's: a test answers it.
 */
function serve(fixture: Fixture, overrides: Record<string, Override> = {}, inFlight: Record<string, InFlight> = {}) {
  return serveRecorded(fixture, overrides, inFlight);
}

/** The import answers as recorded once `release` is called, after the progress it sent went out. */
function heldImport(fixture: Fixture) {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const events = recorded<EngineEvent[]>(fixture, "@events");
  const inFlight: InFlight = async () => {
    for (const event of events) await emit("engine", event);
    await held;
  };
  return { inFlight, release: () => release(), events };
}

async function openPriceLists() {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-pricelists"));
  await screen.findByTestId("price-lists");
  return user;
}

const mappingOf = (column: number) => screen.getByTestId(`pricelist-mapping-${column}`);

describe("price lists", () => {
  it("previews a new supplier file, lets the manager fix the columns, and imports it with progress and a summary", async () => {
    const hold = heldImport(importFixture);
    const b = serve(importFixture, {}, { import_price_list: hold.inFlight });
    const user = await openPriceLists();
    expect(await screen.findByText(/No price lists yet/)).toBeInTheDocument();

    await user.type(screen.getByTestId("pricelist-path"), "/data/supplier.csv");
    await user.type(screen.getByTestId("pricelist-name"), "Supplier A");
    expect(screen.getByTestId("pricelist-name-hint")).toHaveTextContent("A new list will be created.");
    // A new list cannot be imported before its columns are known.
    expect(screen.getByTestId("pricelist-import")).toBeDisabled();

    await user.click(screen.getByTestId("pricelist-preview"));
    await waitFor(() => expect(screen.getAllByTestId("pricelist-preview-row")).toHaveLength(5));
    expect(b.callsTo("preview_price_list").map((c) => c.args)).toEqual([
      { path: "/data/supplier.csv", options: { delimiter: null, encoding: null, header: null } },
    ]);
    // The engine's guess from the titles fills the pickers; what it detected fills the options.
    expect(mappingOf(0)).toHaveValue("brand");
    expect(mappingOf(1)).toHaveValue("article");
    expect(mappingOf(3)).toHaveValue("price");
    expect(mappingOf(5)).toHaveValue("delivery_days");
    expect(screen.getByTestId("pricelist-delimiter")).toHaveValue(";");
    expect(screen.getByTestId("pricelist-header")).toBeChecked();

    // Another delimiter reads the file again with it; going back restores the columns.
    await user.selectOptions(screen.getByTestId("pricelist-delimiter"), ",");
    await waitFor(() => expect(b.callsTo("preview_price_list")).toHaveLength(2));
    expect(b.callsTo("preview_price_list")[1]?.args.options).toEqual({ delimiter: ",", encoding: "utf-8", header: true });
    await user.selectOptions(screen.getByTestId("pricelist-delimiter"), ";");
    await waitFor(() => expect(mappingOf(5)).toHaveValue("delivery_days"));

    // Delivery days are not trusted in this file; the supplier column is the name column instead.
    await user.selectOptions(mappingOf(5), "");
    await user.selectOptions(mappingOf(2), "supplier");
    expect(mappingOf(2)).toHaveValue("supplier");

    await user.click(screen.getByTestId("pricelist-import"));
    const progress = await screen.findByTestId("import-progress");
    await waitFor(() => expect(progress).toHaveTextContent("5 rows read"));
    hold.release();

    const summary = await screen.findByTestId("import-summary");
    expect(within(summary).getByTestId("summary-rows-read")).toHaveTextContent("5");
    expect(within(summary).getByTestId("summary-offers")).toHaveTextContent("2");
    expect(within(summary).getByTestId("summary-rejected")).toHaveTextContent("3");
    expect(within(summary).getAllByTestId("summary-reject-count").map((e) => e.textContent)).toEqual([
      "No article1",
      "The price is not a number1",
      "The price is negative1",
    ]);
    expect(within(summary).getAllByTestId("summary-reject").map((e) => e.textContent)).toEqual([
      "Row 4: No article",
      "Row 5: The price is not a number — «call us»",
      "Row 6: The price is negative — «-5»",
    ]);
    expect(screen.queryByTestId("import-progress")).toBeNull();
    expect(b.callsTo("import_price_list").map((c) => c.args)).toEqual([
      {
        path: "/data/supplier.csv",
        name: "Supplier A",
        settings: {
          mapping: { brand: 0, article: 1, name: null, price: 3, stock: 4, delivery_days: null, supplier: 2 },
          options: { delimiter: ";", encoding: "utf-8", header: true },
        },
      },
    ]);

    const row = await screen.findByTestId("pricelist-row");
    expect(row).toHaveTextContent("Supplier A");
    expect(row).toHaveTextContent("supplier.csv");
    expect(within(row).getAllByRole("cell").slice(1, 4).map((c) => c.textContent)).toEqual(["2", "5", "3"]);

    await user.type(screen.getByTestId("offer-search"), "bosch");
    const result = await screen.findByTestId("offer-result");
    expect(result).toHaveTextContent("0986");
    expect(result).toHaveTextContent("1,200.50");
    expect(b.callsTo("search_offers").at(-1)?.args).toEqual({ text: "bosch", limit: 100 });
  });

  it("says which columns are still missing when the titles tell nothing", async () => {
    const b = serve(rawFixture);
    const user = await openPriceLists();
    await user.type(screen.getByTestId("pricelist-path"), "/data/raw.csv");
    // Enter in the path field of a new list goes to the preview.
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("pricelist-preview-row")).toHaveLength(2));
    expect(screen.getByTestId("pricelist-import")).toBeDisabled();
    expect(screen.getByText("Choose the column of: Article, Price.")).toBeInTheDocument();
    await user.selectOptions(mappingOf(0), "article");
    await user.selectOptions(mappingOf(2), "price");
    await user.click(screen.getByTestId("pricelist-import"));
    expect(await screen.findByTestId("import-summary")).toHaveTextContent("Imported into «raw»");
    expect(b.callsTo("import_price_list")[0]?.args).toMatchObject({
      name: "raw",
      settings: { mapping: { article: 0, price: 2, brand: null, name: null } },
    });
  });

  it("re-imports a list with its remembered columns, without a preview", async () => {
    const b = serve(reimportFixture);
    const user = await openPriceLists();
    await user.click(await screen.findByTestId("pricelist-reimport"));
    expect(screen.getByTestId("pricelist-name")).toHaveValue("Supplier A");
    expect(screen.getByTestId("pricelist-path")).toHaveFocus();
    await user.keyboard("/data/new.csv");
    expect(screen.getByTestId("pricelist-name-hint")).toHaveTextContent("remembered columns");
    await user.click(screen.getByTestId("pricelist-import"));
    expect(await screen.findByTestId("import-summary")).toHaveTextContent("Imported into «Supplier A»");
    expect(b.callsTo("import_price_list").map((c) => c.args)).toEqual([
      { path: "/data/new.csv", name: "Supplier A", settings: null },
    ]);
    await waitFor(() => expect(within(screen.getByTestId("pricelist-row")).getAllByRole("cell")[1]).toHaveTextContent("2"));
    expect(b.callsTo("preview_price_list")).toHaveLength(0);
  });

  it("takes the path from the file chooser and names the list after the file", async () => {
    const b = serve(importFixture, { "plugin:dialog|open": () => "/home/m/prices/Autodoc.csv" });
    const user = await openPriceLists();
    await user.click(screen.getByTestId("pricelist-choose"));
    await waitFor(() => expect(screen.getByTestId("pricelist-path")).toHaveValue("/home/m/prices/Autodoc.csv"));
    expect(screen.getByTestId("pricelist-name")).toHaveAttribute("placeholder", "Autodoc");
    const [chooser] = b.callsTo("plugin:dialog|open");
    expect(chooser?.args).toMatchObject({
      options: { multiple: false, filters: [{ extensions: ["csv", "txt", "xlsx", "xls", "xlsm", "ods"] }] },
    });
  });

  it("shows why a file cannot be read", async () => {
    serve(importFixture);
    const user = await openPriceLists();
    await user.type(screen.getByTestId("pricelist-path"), "/data/missing.csv");
    await user.click(screen.getByTestId("pricelist-preview"));
    expect(await screen.findByRole("alert")).toHaveTextContent("/data/missing.csv");
  });

  it("deletes a list after asking", async () => {
    const b = serve(deleteFixture);
    const [list] = recorded<{ id: number }[]>(deleteFixture, "price_lists") as [{ id: number }];
    const user = await openPriceLists();
    await user.click(await screen.findByTestId("pricelist-delete"));
    expect(b.callsTo("delete_price_list")).toHaveLength(0);
    await user.click(screen.getByTestId("pricelist-delete-confirm"));
    await waitFor(() => expect(screen.queryByTestId("pricelist-row")).toBeNull());
    expect(b.callsTo("delete_price_list").map((c) => c.args)).toEqual([{ id: list.id }]);
  });

  it("shows supplier text as text, never as HTML", async () => {
    serve(importFixture);
    const user = await openPriceLists();
    await user.type(screen.getByTestId("pricelist-path"), "/data/evil.csv");
    await user.click(screen.getByTestId("pricelist-preview"));
    expect(await screen.findByTestId("pricelist-preview-row")).toHaveTextContent('<img src=x onerror="alert(1)">');
    expect(document.querySelector("img")).toBeNull();
  });
});
