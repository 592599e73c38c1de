import { describe, expect, it } from "vitest";
import { assign, baseName, columnCount, complete, draftOf, fieldAt, isSpreadsheet, missing } from "./mapping";

describe("column mapping", () => {
  const guessed = { brand: 0, article: 1, name: null, price: 3, stock: null, delivery_days: 5, supplier: null };

  it("starts from the engine's mapping, leaving out what it did not find", () => {
    expect(draftOf(guessed)).toEqual({ brand: 0, article: 1, price: 3, delivery_days: 5 });
    expect(draftOf(null)).toEqual({});
    expect(fieldAt(draftOf(guessed), 3)).toBe("price");
    expect(fieldAt(draftOf(guessed), 2)).toBeNull();
  });

  it("keeps one field per column and one column per field", () => {
    const draft = draftOf(guessed);
    // Price moves to column 4: column 3 is free again.
    expect(assign(draft, 4, "price")).toEqual({ brand: 0, article: 1, price: 4, delivery_days: 5 });
    // Column 0 becomes the article: the brand leaves it and the article leaves column 1.
    expect(assign(draft, 0, "article")).toEqual({ article: 0, price: 3, delivery_days: 5 });
    // "Not imported" empties the column.
    expect(assign(draft, 5, null)).toEqual({ brand: 0, article: 1, price: 3 });
  });

  it("is complete only with an article and a price", () => {
    expect(complete({ article: 2 })).toBeNull();
    expect(missing({ article: 2 })).toEqual(["price"]);
    expect(missing({})).toEqual(["article", "price"]);
    expect(complete({ article: 2, price: 0, stock: 4 })).toEqual({
      brand: null,
      article: 2,
      name: null,
      price: 0,
      stock: 4,
      delivery_days: null,
      supplier: null,
    });
  });

  it("counts the columns of the widest row, titles included", () => {
    const options = { delimiter: ";", encoding: null, header: true };
    expect(columnCount({ header: ["a", "b"], rows: [["1"], ["1", "2", "3"]], options, mapping: null })).toBe(3);
    expect(columnCount({ header: null, rows: [], options, mapping: null })).toBe(0);
  });

  it("tells spreadsheets from text files and names a list after its file", () => {
    expect(isSpreadsheet("/x/Prices.XLSX")).toBe(true);
    expect(isSpreadsheet("/x/prices.ods")).toBe(true);
    expect(isSpreadsheet("/x/prices.csv")).toBe(false);
    expect(baseName("/home/m/prices/Autodoc 2026.csv")).toBe("Autodoc 2026");
    expect(baseName("C:\\prices\\emex.xlsx")).toBe("emex");
    expect(baseName("")).toBe("");
  });
});
