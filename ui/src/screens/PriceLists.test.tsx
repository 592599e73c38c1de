import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { FakeBackend, accountView, offerView, priceListView } from "../test/backend";
import { renderWithProviders } from "../test/render";

const SUPPLIER_CSV = [
  "Brand;Article;Name;Price;Stock;Days",
  "BOSCH;0986;Brake pad;1200,50;4;2",
  "Mann;W 712;Oil filter;350;10;1",
  "Febi;;No article;100;1;1",
  "NGK;BKR6E;Spark plug;call us;5;3",
  "Lemforder;3011;Arm;-5;1;1",
].join("\n");

function backend(): FakeBackend {
  const b = new FakeBackend();
  b.accounts = [accountView(1, "Shop A")];
  b.files.set("/data/supplier.csv", SUPPLIER_CSV);
  return b;
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
    const b = backend().install();
    let release = () => {};
    b.importGate = new Promise((resolve) => (release = resolve));
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
    await waitFor(() => expect(progress).toHaveTextContent("2 rows read"));
    release();

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
    const b = backend();
    b.files.set("/data/raw.csv", "x;y;z\nA-1;Pad;100\nA-2;Disc;250");
    b.install();
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
    const b = backend();
    const list = priceListView(1, "Supplier A", { offers: 1, rows_read: 1 });
    b.priceLists = [list];
    b.offers = [offerView(11, list)];
    b.files.set("/data/new.csv", "Brand;Article;Name;Price;Stock;Days\nBOSCH;0986;Pad;1100;3;2\nMann;W1;Filter;300;1;1");
    b.install();
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
    const b = backend();
    b.chosenFile = "/home/m/prices/Autodoc.csv";
    b.files.set("/home/m/prices/Autodoc.csv", SUPPLIER_CSV);
    b.install();
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
    backend().install();
    const user = await openPriceLists();
    await user.type(screen.getByTestId("pricelist-path"), "/data/missing.csv");
    await user.click(screen.getByTestId("pricelist-preview"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Cannot read /data/missing.csv: no such file");
  });

  it("deletes a list after asking", async () => {
    const b = backend();
    const list = priceListView(1, "Supplier A", { offers: 1 });
    b.priceLists = [list];
    b.offers = [offerView(11, list)];
    b.install();
    const user = await openPriceLists();
    await user.click(await screen.findByTestId("pricelist-delete"));
    expect(b.callsTo("delete_price_list")).toHaveLength(0);
    await user.click(screen.getByTestId("pricelist-delete-confirm"));
    await waitFor(() => expect(screen.queryByTestId("pricelist-row")).toBeNull());
    expect(b.callsTo("delete_price_list").map((c) => c.args)).toEqual([{ id: 1 }]);
    expect(b.offers).toEqual([]);
  });

  it("shows supplier text as text, never as HTML", async () => {
    const b = backend();
    b.files.set("/data/evil.csv", 'Article;Price;Name\nA1;10;<img src=x onerror="alert(1)">');
    b.install();
    const user = await openPriceLists();
    await user.type(screen.getByTestId("pricelist-path"), "/data/evil.csv");
    await user.click(screen.getByTestId("pricelist-preview"));
    expect(await screen.findByTestId("pricelist-preview-row")).toHaveTextContent('<img src=x onerror="alert(1)">');
    expect(document.querySelector("img")).toBeNull();
  });
});
