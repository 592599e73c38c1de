import { useDeferredValue, useMemo, useRef } from "react";
import type { ProductOrder } from "../bindings/ProductOrder";
import type { ProductView } from "../bindings/ProductView";
import { categoryTree } from "../catalog/tree";
import { ScreenSearch } from "../components/ScreenSearch";
import { useListKeys } from "../components/useListKeys";
import { formatDateTime, formatPrice } from "../format";
import { useI18n } from "../i18n";
import type { Messages } from "../i18n/en";
import { useProductCategories, useProductOrders, useProducts } from "../queries";
import { useScreenReady } from "../perf";

/** Rows the list asks for: more is a search or a category away. */
export const PRODUCTS_SHOWN = 500;

/** What the catalog shows: kept in the route, so that Back from an order returns to the same product. */
export type CatalogPlace = { categoryId: number | null; search: string; productId: number | null };
export const catalogStart: CatalogPlace = { categoryId: null, search: "", productId: null };

/**
 * The products of store platforms' orders (WooCommerce), by category: the tree on the left narrows
 * the list, the search finds words in it, and a chosen product shows its description and orders.
 * Everything from the stores (names, descriptions) is shown as plain text.
 */
export function Catalog({
  place,
  onPlace,
  onOpenShopOrder,
  onOpenOrder,
}: {
  place: CatalogPlace;
  onPlace: (place: CatalogPlace) => void;
  onOpenShopOrder: (shopOrderId: number) => void;
  onOpenOrder: (orderId: number) => void;
}) {
  const { t } = useI18n();
  const listRef = useRef<HTMLDivElement>(null);
  // Typing stays fluid: the search follows the text at its own pace.
  const search = useDeferredValue(place.search).trim();
  const products = useProducts({ search, category_id: place.categoryId, limit: PRODUCTS_SHOWN });
  const categories = useProductCategories();
  useScreenReady("catalog", products.isSuccess && categories.isSuccess);
  const tree = useMemo(() => categoryTree(categories.data ?? []), [categories.data]);
  const rows = useMemo(() => products.data ?? [], [products.data]);
  const chosen = rows.find((p) => p.id === place.productId) ?? null;
  const choose = (productId: number) => onPlace({ ...place, productId });
  const [cursor, setCursor] = useListKeys(rows.length, (i) => {
    const row = rows[i];
    if (row) choose(row.id);
  });


  const settled = products.isSuccess && !products.isPlaceholderData;
  let empty: string | null = null;
  if (settled && rows.length === 0) {
    if (search !== "") empty = t.catalog.noMatch(search);
    else if (place.categoryId != null) empty = t.catalog.emptyCategory;
    else empty = t.catalog.empty;
  }
  const c = t.catalog.columns;
  return (
    <section className="catalog" data-testid="catalog">
      <header className="screen-header">
        <h1>{t.catalog.title}</h1>
        <ScreenSearch
          label={t.catalog.search}
          placeholder={t.catalog.searchPlaceholder}
          testId="catalog-search"
          value={place.search}
          onChange={(search) => onPlace({ ...place, search })}
          onArrowDown={() => {
            // To the list's first product.
            if (rows.length === 0) return false;
            setCursor(0);
            listRef.current?.focus();
            return true;
          }}
        />
        <span className="hint keys-hint">{t.catalog.keysHint}</span>
      </header>
      {(products.isError || categories.isError) && (
        <p className="form-problem screen-text" role="alert">
          {(products.error ?? categories.error)?.message}
        </p>
      )}
      <div className="catalog-body">
        {tree.length > 0 && (
          <nav className="catalog-tree" aria-label={t.catalog.categories}>
            <ul>
              <li>
                <button
                  type="button"
                  data-testid="catalog-category-all"
                  aria-pressed={place.categoryId == null}
                  onClick={() => onPlace({ ...place, categoryId: null })}
                >
                  <span className="catalog-category-name">{t.catalog.allProducts}</span>
                </button>
              </li>
              {tree.map(({ category, depth }) => (
                <li key={category.id}>
                  <button
                    type="button"
                    data-testid="catalog-category"
                    data-category-id={category.id}
                    data-depth={depth}
                    aria-pressed={place.categoryId === category.id}
                    title={category.path}
                    style={{ paddingInlineStart: `${12 + depth * 16}px` }}
                    onClick={() => onPlace({ ...place, categoryId: category.id })}
                  >
                    <span className="catalog-category-name">{category.name}</span>
                    {category.products > 0 && <span className="muted num">{category.products}</span>}
                  </button>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div className="catalog-list" ref={listRef} tabIndex={-1}>
          {empty != null && (
            <p className="hint screen-text" data-testid="catalog-empty">
              {empty}
            </p>
          )}
          {rows.length > 0 && (
            <table className="grid clickable" data-testid="catalog-products" aria-busy={products.isPlaceholderData}>
              <thead>
                <tr>
                  <th>{c.name}</th>
                  <th>{c.sku}</th>
                  <th>{c.code}</th>
                  <th>{c.unit}</th>
                  <th>{c.category}</th>
                  <th className="num">{c.orders}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((p, i) => (
                  <tr
                    key={p.id}
                    className={[i === cursor && "cursor", chosen?.id === p.id && "selected"].filter(Boolean).join(" ")}
                    data-testid="catalog-product"
                    data-product-id={p.id}
                    data-cursor={i === cursor}
                    aria-selected={chosen?.id === p.id}
                    onClick={() => {
                      setCursor(i);
                      choose(p.id);
                    }}
                  >
                    <td className="wrap-anywhere">
                      {/* A button too, so that Tab and Enter reach each product without the list keys. */}
                      <button type="button" className="link">
                        {p.name}
                      </button>
                    </td>
                    <td className="wrap-anywhere">{p.sku}</td>
                    <td className="wrap-anywhere">{p.code}</td>
                    <td>{unitName(p.unit, t)}</td>
                    <td className="muted wrap-anywhere">{p.category}</td>
                    <td className="num">{p.orders}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {settled && rows.length >= PRODUCTS_SHOWN && <p className="hint screen-text">{t.catalog.truncated(PRODUCTS_SHOWN)}</p>}
        </div>
        {chosen && (
          <ProductDetail key={chosen.id} product={chosen} onOpenShopOrder={onOpenShopOrder} onOpenOrder={onOpenOrder} />
        )}
      </div>
    </section>
  );
}

function unitName(unit: string, t: Messages): string {
  return t.catalog.units[unit] ?? unit;
}

function ProductDetail({
  product,
  onOpenShopOrder,
  onOpenOrder,
}: {
  product: ProductView;
  onOpenShopOrder: (shopOrderId: number) => void;
  onOpenOrder: (orderId: number) => void;
}) {
  const { t } = useI18n();
  const orders = useProductOrders(product.id);
  const c = t.catalog.columns;
  const open = (o: ProductOrder) => (o.shop_order_id != null ? onOpenShopOrder(o.shop_order_id) : onOpenOrder(o.order_id));
  return (
    <aside className="catalog-detail" data-testid="catalog-product-detail" aria-label={product.name}>
      <h2 className="wrap-anywhere" data-testid="catalog-product-name">
        {product.name}
      </h2>
      <dl className="facts">
        <dt>{c.sku}</dt>
        <dd>{product.sku}</dd>
        <dt>{c.code}</dt>
        <dd>{product.code}</dd>
        <dt>{c.unit}</dt>
        <dd>{unitName(product.unit, t)}</dd>
        <dt>{c.category}</dt>
        <dd>{product.category ?? <span className="muted">{t.catalog.noCategory}</span>}</dd>
      </dl>
      <h3>{t.catalog.description}</h3>
      {product.description.trim() === "" ? (
        <p className="hint">{t.catalog.noDescription}</p>
      ) : (
        // Plain text as the store sent it (markup included): never read as HTML.
        <div className="catalog-description" data-testid="catalog-product-description">
          {product.description}
        </div>
      )}
      <h3>{t.catalog.orders}</h3>
      {orders.isError && <p className="form-problem">{orders.error.message}</p>}
      {orders.isPending && <p className="hint">{t.common.loading}</p>}
      {orders.data?.length === 0 && <p className="hint">{t.catalog.noOrders}</p>}
      {orders.data && orders.data.length > 0 && (
        <ul className="catalog-orders">
          {/* Two items of one order can be the same product: the order is listed for each. */}
          {orders.data.map((o, i) => (
            <li key={`${o.order_id}:${i}`}>
              <ProductOrderButton order={o} unit={unitName(product.unit, t)} onOpen={() => open(o)} />
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}

function ProductOrderButton({ order, unit, onOpen }: { order: ProductOrder; unit: string; onOpen: () => void }) {
  const { t, locale } = useI18n();
  return (
    <button
      type="button"
      className="catalog-order"
      data-testid="catalog-product-order"
      data-order-id={order.order_id}
      data-shop-order-id={order.shop_order_id ?? undefined}
      title={order.shop_order_id != null ? t.catalog.openShopOrder : t.catalog.openMarketplaceOrder}
      onClick={onOpen}
    >
      <span className="catalog-order-head">
        <strong>{order.number}</strong>
        <span className="muted">{formatDateTime(order.created_at, locale)}</span>
      </span>
      <span className="catalog-order-facts">
        <span className="wrap-anywhere">{order.account_name}</span>
        <span className="num">
          {order.quantity} {unit} × {formatPrice(order.price, order.currency, locale)}
        </span>
      </span>
    </button>
  );
}
