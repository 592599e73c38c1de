//! The catalog: items of store-platform orders find their product by the account's key (made
//! when none matches, reused ever after), filed under categories reused by their path.

use std::collections::HashMap;

use ordertray_core::catalog::category_path;
use ordertray_core::{CategoryView, ExternalLine, ProductKey, ProductOrder, ProductQuery, ProductView};
use rust_decimal::Decimal;
use sqlx::{Row, SqliteConnection};

use crate::time::parse_ts;
use crate::{Result, Store, StoreError};

/// Catalog listings stop here unless asked for fewer.
const DEFAULT_LIMIT: u32 = 1_000;

/// The products column an item is found by, and its value.
type Identity = (&'static str, String);
/// A line by its order's id and its own external id.
type LineKey<'a> = (i64, &'a str);

/// Links each item to its catalog product, making the products (and their categories) that do
/// not exist yet; items linked before keep their product.
pub(crate) async fn link_products(
    conn: &mut SqliteConnection,
    key: ProductKey,
    items: &[(i64, &ExternalLine)],
    now: &str,
) -> Result<()> {
    // Most of a page's items are a few products: each is looked up once, by its first item.
    let mut by_identity: HashMap<Identity, (&ExternalLine, Vec<LineKey>)> = HashMap::new();
    for (order_id, line) in items {
        by_identity
            .entry(identity(key, line))
            .or_insert_with(|| (line, vec![]))
            .1
            .push((*order_id, line.external_id.as_str()));
    }
    for (identity, (item, lines)) in by_identity {
        let product_id = find_or_add_product(conn, &identity, item, now).await?;
        let pairs = serde_json::to_string(&lines)?;
        // SQLite: `json_each` expands the JSON list of [order id, line id] pairs.
        sqlx::query(
            "UPDATE lines SET product_id = ? WHERE product_id IS NULL AND (order_id, external_id) IN
                (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))",
        )
        .bind(product_id)
        .bind(pairs)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The column and value an item is found by. An item without the key's value (no SKU, no
/// platform id) is found by its name, which every item has.
fn identity(key: ProductKey, line: &ExternalLine) -> Identity {
    let (column, value) = match key {
        ProductKey::Sku => ("sku", line.offer_id.trim()),
        ProductKey::Id => ("code", line.sku.trim()),
        ProductKey::Name => ("name", ""),
    };
    if value.is_empty() {
        ("name", line.name.trim().to_string())
    } else {
        (column, value.to_string())
    }
}

/// The product found by `identity`, with the gaps `item` can fill filled (nothing overwritten);
/// else a new one.
async fn find_or_add_product(
    conn: &mut SqliteConnection,
    (column, value): &Identity,
    item: &ExternalLine,
    now: &str,
) -> Result<i64> {
    let facts = item.product.clone().unwrap_or_default();
    let found: Option<(i64, bool)> = sqlx::query_as(&format!(
        "SELECT id, category_id IS NULL FROM products WHERE {column} = ? COLLATE NOCASE ORDER BY id LIMIT 1"
    ))
    .bind(value)
    .fetch_optional(&mut *conn)
    .await?;
    // The category's path is walked only for a product that takes it (every page of a backfill
    // meets the same products again).
    let category = match found {
        Some((_, false)) => None,
        _ => category_id(conn, &facts.category).await?,
    };
    let (sku, code, name) = (item.offer_id.trim(), item.sku.trim(), item.name.trim());
    if let Some((id, _)) = found {
        sqlx::query(
            "UPDATE products SET description = IIF(description = '', ?, description), sku = IIF(sku = '', ?, sku),
                code = IIF(code = '', ?, code), category_id = COALESCE(category_id, ?) WHERE id = ?",
        )
        .bind(facts.description.trim())
        .bind(sku)
        .bind(code)
        .bind(category)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        return Ok(id);
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO products (name, description, sku, code, unit, category_id, created_at)
         VALUES (?, ?, ?, ?, 'piece', ?, ?) RETURNING id",
    )
    .bind(name)
    .bind(facts.description.trim())
    .bind(sku)
    .bind(code)
    .bind(category)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// The category at `path` (names from the top down), each level reused when it exists by that
/// name under that parent, else made; None for an empty path.
async fn category_id(conn: &mut SqliteConnection, path: &[String]) -> Result<Option<i64>> {
    let mut parent: Option<i64> = None;
    for name in path.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM product_categories WHERE COALESCE(parent_id, 0) = COALESCE(?, 0) AND name = ? COLLATE NOCASE",
        )
        .bind(parent)
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?;
        parent = Some(match found {
            Some(id) => id,
            None => {
                sqlx::query_scalar(
                    "INSERT INTO product_categories (parent_id, name) VALUES (?, ?) RETURNING id",
                )
                .bind(parent)
                .bind(name)
                .fetch_one(&mut *conn)
                .await?
            }
        });
    }
    Ok(parent)
}

/// Every category's names from the top down, by id.
fn category_paths(rows: &[(i64, Option<i64>, String)]) -> HashMap<i64, Vec<String>> {
    let by_id: HashMap<i64, (Option<i64>, &str)> = rows
        .iter()
        .map(|(id, parent, name)| (*id, (*parent, name.as_str())))
        .collect();
    rows.iter()
        .map(|(id, _, _)| {
            let mut names = vec![];
            let mut at = Some(*id);
            // A cycle cannot be made through this module; the bound keeps a hand-edited one finite.
            while let Some((parent, name)) = at.and_then(|i| by_id.get(&i)).filter(|_| names.len() < 64) {
                names.push(name.to_string());
                at = *parent;
            }
            names.reverse();
            (*id, names)
        })
        .collect()
}

impl Store {
    /// Every category, in tree order (each after its parent, siblings by name).
    pub async fn product_categories(&self) -> Result<Vec<CategoryView>> {
        let rows: Vec<(i64, Option<i64>, String)> =
            sqlx::query_as("SELECT id, parent_id, name FROM product_categories")
                .fetch_all(&self.pool)
                .await?;
        let counts: HashMap<i64, i64> = sqlx::query_as(
            "SELECT category_id, COUNT(*) FROM products WHERE category_id IS NOT NULL GROUP BY category_id",
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .collect();
        let paths = category_paths(&rows);
        let mut out: Vec<CategoryView> = rows
            .into_iter()
            .map(|(id, parent_id, name)| CategoryView {
                id,
                name,
                parent_id,
                path: category_path(&paths[&id]),
                products: counts.get(&id).copied().unwrap_or_default(),
            })
            .collect();
        let sort_key = |c: &CategoryView| paths[&c.id].iter().map(|n| n.to_lowercase()).collect::<Vec<_>>();
        out.sort_by_cached_key(sort_key);
        Ok(out)
    }

    /// Catalog products by name, narrowed by every word of `search` (any case, in the name, SKU,
    /// code or description) and by a category with the categories under it.
    pub async fn products(&self, query: &ProductQuery) -> Result<Vec<ProductView>> {
        let categories: Vec<(i64, Option<i64>, String)> =
            sqlx::query_as("SELECT id, parent_id, name FROM product_categories")
                .fetch_all(&self.pool)
                .await?;
        let paths = category_paths(&categories);
        let within = |category: Option<i64>| match (query.category_id, category) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(wanted), Some(c)) => {
                let (wanted, c) = (&paths.get(&wanted), &paths.get(&c));
                matches!((wanted, c), (Some(w), Some(c)) if c.starts_with(w))
            }
        };
        let words: Vec<String> = query.search.split_whitespace().map(str::to_lowercase).collect();
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, 100_000) as usize;
        // The catalog is the shop's own products (thousands, not millions): filtered here, where
        // any alphabet's case folds, rather than by SQLite's ASCII-only LIKE.
        let rows = sqlx::query(
            "SELECT p.id, p.name, p.description, p.sku, p.code, p.unit, p.category_id,
                (SELECT COUNT(DISTINCT l.order_id) FROM lines l WHERE l.product_id = p.id) AS orders
             FROM products p ORDER BY p.name COLLATE NOCASE, p.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = vec![];
        for r in rows {
            let category_id: Option<i64> = r.get("category_id");
            if !within(category_id) {
                continue;
            }
            let view = ProductView {
                id: r.get("id"),
                name: r.get("name"),
                description: r.get("description"),
                sku: r.get("sku"),
                code: r.get("code"),
                unit: r.get("unit"),
                category: category_id.and_then(|c| paths.get(&c)).map(|p| category_path(p)),
                category_id,
                orders: r.get("orders"),
            };
            let text = [&view.name, &view.sku, &view.code, &view.description]
                .map(|s| s.to_lowercase())
                .join("\n");
            if words.iter().all(|w| text.contains(w.as_str())) {
                out.push(view);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// The orders with an item of the product, newest first.
    pub async fn product_orders(&self, product_id: i64) -> Result<Vec<ProductOrder>> {
        let rows = sqlx::query(
            "SELECT o.id AS order_id, o.number, o.created_at, a.name AS account_name,
                (SELECT s.id FROM shop_orders s WHERE s.source_order_id = o.id ORDER BY s.id LIMIT 1) AS shop_order_id,
                SUM(l.quantity) AS quantity, l.price, l.currency
             FROM lines l JOIN orders o ON o.id = l.order_id JOIN accounts a ON a.id = o.account_id
             WHERE l.product_id = ?
             GROUP BY o.id ORDER BY o.created_at DESC, o.id DESC LIMIT 1000",
        )
        .bind(product_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let price: String = r.get("price");
                Ok(ProductOrder {
                    order_id: r.get("order_id"),
                    shop_order_id: r.get("shop_order_id"),
                    number: r.get("number"),
                    account_name: r.get("account_name"),
                    created_at: parse_ts(r.get("created_at"))?,
                    quantity: r.get("quantity"),
                    price: price
                        .parse::<Decimal>()
                        .map_err(|e| StoreError::Corrupt(format!("price '{price}': {e}")))?,
                    currency: r.get("currency"),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_run_from_the_top_down() {
        let rows = vec![
            (1, None, "Parts".to_string()),
            (2, Some(1), "Brakes".to_string()),
            (3, Some(2), "Pads".to_string()),
        ];
        let paths = category_paths(&rows);
        assert_eq!(paths[&3], ["Parts", "Brakes", "Pads"]);
        assert_eq!(paths[&1], ["Parts"]);
    }
}
