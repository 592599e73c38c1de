import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { CategoryView } from "../bindings/CategoryView";
import type { ProductOrder } from "../bindings/ProductOrder";
import type { ProductQuery } from "../bindings/ProductQuery";
import type { ProductView } from "../bindings/ProductView";
import all from "../test/fixtures/shop_orders_all.json";
import { serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { PRODUCTS_SHOWN } from "./Catalog";

// The app around the catalog is the engine's recorded "all orders" scenario (shop orders 1–6, the
// marketplace orders 1–4). The engine's fixtures record no catalog yet, so the catalog's own
// answers are written here, in the shapes of the generated bindings.
const categories: CategoryView[] = [
  { id: 1, name: "Parts", parent_id: null, path: "Parts", products: 0 },
  { id: 2, name: "Brakes", parent_id: 1, path: "Parts / Brakes", products: 1 },
  { id: 3, name: "Pads", parent_id: 2, path: "Parts / Brakes / Pads", products: 1 },
  { id: 4, name: "Oils", parent_id: null, path: "Oils", products: 1 },
];
const brakeDisc: ProductView = {
  id: 10,
  name: "Brake disc",
  description: "<b>html</b> stays text\n<script>alert(1)</script>",
  sku: "BD-1",
  code: "501",
  unit: "piece",
  category: "Parts / Brakes",
  category_id: 2,
  orders: 2,
};
const brakePad: ProductView = {
  id: 11,
  name: "Brake pad",
  description: "",
  sku: "BP-7",
  code: "502",
  unit: "piece",
  category: "Parts / Brakes / Pads",
  category_id: 3,
  orders: 0,
};
const oil: ProductView = {
  id: 12,
  name: "Oil 5W-30",
  description: "Synthetic.",
  sku: "OIL-5",
  code: "503",
  unit: "piece",
  category: "Oils",
  category_id: 4,
  orders: 1,
};
const products = [brakeDisc, brakePad, oil];
/** Brake disc: in marketplace order 1, accepted as shop order 1; and in order 3, not accepted yet. */
const discOrders: ProductOrder[] = [
  {
    order_id: 1,
    shop_order_id: 1,
    number: "57000961-5557-1",
    account_name: "Shop A",
    created_at: "2026-03-02T09:30:00Z",
    quantity: 2,
    price: "1530.00",
    currency: "RUB",
  },
  {
    order_id: 3,
    shop_order_id: null,
    number: "57000963-5631-1",
    account_name: "Shop B",
    created_at: "2026-03-01T09:30:00Z",
    quantity: 1,
    price: "1490.50",
    currency: "RUB",
  },
];
/** Categories hold the products of the categories under them, as the engine answers. */
const under = (categoryId: number, id: number | null): boolean =>
  id != null && (id === categoryId || under(categoryId, categories.find((c) => c.id === id)?.parent_id ?? null));

function serveCatalog(list: ProductView[] = products, tree: CategoryView[] = categories) {
  return serveRecorded(all, {
    product_categories: () => tree,
    products: (args) => {
      const { search, category_id } = args.query as ProductQuery;
      const words = search.toLowerCase().split(/\s+/).filter(Boolean);
      return list.filter(
        (p) =>
          (category_id == null || under(category_id, p.category_id)) &&
          words.every((w) => `${p.name} ${p.sku} ${p.code} ${p.description}`.toLowerCase().includes(w)),
      );
    },
    product_orders: (args) => (args.productId === brakeDisc.id ? discOrders : []),
  });
}

const query = (search: string, category_id: number | null) => ({ query: { search, category_id, limit: PRODUCTS_SHOWN } });
const productRows = () => screen.getAllByTestId("catalog-product");
const names = () => productRows().map((r) => within(r).getByRole("button").textContent);

async function openCatalog() {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-catalog"));
  await waitFor(() => expect(productRows()).toHaveLength(3));
  return user;
}

describe("catalog", () => {
  it("sits after Customers in the sidebar and lists every product with its category tree", async () => {
    const engine = serveCatalog();
    await openCatalog();
    const nav = screen.getAllByRole("button").filter((b) => b.dataset.testid?.startsWith("nav-"));
    const at = nav.map((b) => b.dataset.testid);
    expect(at.indexOf("nav-catalog")).toBe(at.indexOf("nav-customers") + 1);
    expect(screen.getByTestId("nav-catalog")).toHaveClass("active");
    expect(engine.callsTo("products").map((c) => c.args)).toEqual([query("", null)]);

    const [disc] = productRows() as [HTMLElement];
    for (const text of ["Brake disc", "BD-1", "501", "pcs", "Parts / Brakes", "2"]) expect(disc).toHaveTextContent(text);

    expect(screen.getByTestId("catalog-category-all")).toHaveAttribute("aria-pressed", "true");
    const tree = await screen.findAllByTestId("catalog-category");
    expect(tree.map((c) => [c.textContent, c.dataset.depth])).toEqual([
      ["Parts", "0"],
      ["Brakes1", "1"],
      ["Pads1", "2"],
      ["Oils1", "0"],
    ]);
    const indent = tree.map((c) => parseInt(c.style.paddingInlineStart, 10));
    expect(indent[1]).toBeGreaterThan(indent[0] as number);
    expect(indent[2]).toBeGreaterThan(indent[1] as number);
    expect(indent[3]).toBe(indent[0]);
  });

  it("searches as the manager types, and says when nothing matches", async () => {
    const engine = serveCatalog();
    const user = await openCatalog();
    await user.type(screen.getByRole("searchbox", { name: "Search products" }), "brake");
    await waitFor(() => expect(names()).toEqual(["Brake disc", "Brake pad"]));
    expect(engine.callsTo("products").map((c) => c.args)).toContainEqual(query("brake", null));

    await user.type(screen.getByTestId("catalog-search"), " xyz");
    expect(await screen.findByTestId("catalog-empty")).toHaveTextContent("No product matches «brake xyz».");
    expect(screen.queryByTestId("catalog-product")).not.toBeInTheDocument();
  });

  it("a category narrows the list to it and the categories under it; All products widens it again", async () => {
    const engine = serveCatalog();
    const user = await openCatalog();
    const brakes = (await screen.findAllByTestId("catalog-category"))[1] as HTMLElement;
    await user.click(brakes);
    await waitFor(() => expect(names()).toEqual(["Brake disc", "Brake pad"]));
    expect(engine.callsTo("products").map((c) => c.args)).toContainEqual(query("", 2));
    expect(brakes).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByTestId("catalog-category-all")).toHaveAttribute("aria-pressed", "false");

    // The search and the category work together.
    await user.type(screen.getByTestId("catalog-search"), "pad");
    await waitFor(() => expect(names()).toEqual(["Brake pad"]));
    expect(engine.callsTo("products").map((c) => c.args)).toContainEqual(query("pad", 2));

    await user.click(screen.getByTestId("catalog-category-all"));
    await waitFor(() => expect(engine.callsTo("products").map((c) => c.args)).toContainEqual(query("pad", null)));
  });

  it("a product chosen by click or by j/k and Enter shows its details and the orders it is in", async () => {
    const engine = serveCatalog();
    const user = await openCatalog();
    // The row, not its button: Enter on a focused button would press that button again.
    await user.click(productRows()[2] as HTMLElement);
    const detail = await screen.findByTestId("catalog-product-detail");
    expect(within(detail).getByTestId("catalog-product-name")).toHaveTextContent("Oil 5W-30");
    expect(within(detail).getByTestId("catalog-product-description")).toHaveTextContent("Synthetic.");
    expect(await within(detail).findByText("No orders with this product.")).toBeInTheDocument();
    expect(productRows()[2]).toHaveAttribute("aria-selected", "true");

    // ↑ from the cursor on Oil goes to Brake pad, then Brake disc; Enter shows it.
    await user.keyboard("kk{Enter}");
    await waitFor(() => expect(screen.getByTestId("catalog-product-name")).toHaveTextContent("Brake disc"));
    const facts = screen.getByTestId("catalog-product-detail");
    for (const text of ["BD-1", "501", "pcs", "Parts / Brakes"]) expect(facts).toHaveTextContent(text);
    await waitFor(() => expect(screen.getAllByTestId("catalog-product-order")).toHaveLength(2));
    expect(engine.callsTo("product_orders").map((c) => c.args)).toEqual([{ productId: oil.id }, { productId: brakeDisc.id }]);
    const [first, second] = screen.getAllByTestId("catalog-product-order") as [HTMLElement, HTMLElement];
    expect(first).toHaveTextContent("57000961-5557-1");
    expect(first).toHaveTextContent("Shop A");
    expect(first).toHaveTextContent(/2 pcs × .*1,530\.00/);
    expect(second).toHaveTextContent("57000963-5631-1");
    expect(second).toHaveTextContent(/1 pcs × .*1,490\.50/);
  });

  it("shows a description from the store as plain text, markup and all", async () => {
    serveCatalog();
    const user = await openCatalog();
    await user.click(screen.getByRole("button", { name: "Brake disc" }));
    const description = await screen.findByTestId("catalog-product-description");
    expect(description.textContent).toBe("<b>html</b> stays text\n<script>alert(1)</script>");
    expect(description.querySelector("b, script")).toBeNull();
  });

  it("an accepted order opens as the shop order, one not accepted as the marketplace order; Back returns to the product", async () => {
    const engine = serveCatalog();
    const user = await openCatalog();
    await user.type(screen.getByTestId("catalog-search"), "disc");
    await waitFor(() => expect(names()).toEqual(["Brake disc"]));
    await user.click(screen.getByRole("button", { name: "Brake disc" }));
    await waitFor(() => expect(screen.getAllByTestId("catalog-product-order")).toHaveLength(2));

    await user.click(screen.getAllByTestId("catalog-product-order")[0] as HTMLElement);
    expect(await screen.findByTestId("shop-order-number")).toHaveTextContent("57000961-5557-1");
    expect(engine.callsTo("shop_order_full").map((c) => c.args)).toEqual([{ id: 1 }]);
    expect(screen.getByTestId("nav-catalog")).toHaveClass("active");

    await user.click(screen.getByTestId("shop-order-back"));
    expect(await screen.findByTestId("catalog-product-name")).toHaveTextContent("Brake disc");
    expect(screen.getByTestId("catalog-search")).toHaveValue("disc");
    await waitFor(() => expect(screen.getAllByTestId("catalog-product-order")).toHaveLength(2));

    await user.click(screen.getAllByTestId("catalog-product-order")[1] as HTMLElement);
    expect(await screen.findByTestId("order-number")).toHaveTextContent("57000963-5631-1");
    expect(engine.callsTo("order_detail").map((c) => c.args)).toEqual([{ id: 3 }]);
    expect(screen.getByTestId("nav-catalog")).toHaveClass("active");
  });

  it("/ goes to the search box and ↓ from it to the first product", async () => {
    serveCatalog();
    const user = await openCatalog();
    await user.keyboard("/");
    expect(screen.getByTestId("catalog-search")).toHaveFocus();
    await user.keyboard("{ArrowDown}{Enter}");
    expect(await screen.findByTestId("catalog-product-name")).toHaveTextContent("Brake disc");
  });

  it("says where products come from while there are none", async () => {
    const engine = serveCatalog([], []);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-catalog"));
    expect(await screen.findByTestId("catalog-empty")).toHaveTextContent(/No products yet\. They arrive with the orders of web stores \(WooCommerce\)/);
    expect(screen.queryByTestId("catalog-category-all")).not.toBeInTheDocument();
    expect(engine.callsTo("products")).toHaveLength(1);
  });

  it("speaks the manager's language: Каталог, шт.", async () => {
    localStorage.setItem("ordertray.lang", "ru");
    serveCatalog();
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-catalog"));
    expect(screen.getByTestId("nav-catalog")).toHaveTextContent("Каталог");
    await waitFor(() => expect(productRows()).toHaveLength(3));
    expect(productRows()[0]).toHaveTextContent("шт.");
    expect(screen.getByTestId("catalog-category-all")).toHaveTextContent("Все товары");
  });
});
