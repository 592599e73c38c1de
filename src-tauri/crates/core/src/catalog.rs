//! The shop's catalog of products and their categories, filled by the items store platforms sell:
//! an item finds its product by the account's "identify products by" key, or makes a new one.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which of an item's facts finds its product in the catalog.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ProductKey {
    /// The seller's article (the item's SKU).
    #[default]
    Sku,
    Name,
    /// The platform's own product id (kept as the product's code).
    Id,
}

/// What a store platform tells about an item's product beyond the line itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductFacts {
    pub description: String,
    /// The product's one category as names from the top of the tree down (empty: none); the
    /// connector picks it when the platform files the product under several.
    pub category: Vec<String>,
}

/// A catalog product as the Catalog screen and `products list --json` show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProductView {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// The seller's article.
    pub sku: String,
    /// The platform's product id.
    pub code: String,
    /// Always "piece": store platforms sell items by the piece.
    pub unit: String,
    /// The category's path from the top ("Parts / Brakes"); None: uncategorised.
    pub category: Option<String>,
    pub category_id: Option<i64>,
    /// Orders with an item of this product.
    pub orders: i64,
}

/// A catalog category with its place in the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CategoryView {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    /// Names from the top of the tree down to this one, joined by " / ".
    pub path: String,
    /// Products filed directly under this category.
    pub products: i64,
}

/// What the catalog lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProductQuery {
    /// Words found in the name, SKU, code or description (all of them, any case).
    #[serde(default)]
    pub search: String,
    /// Products of this category and the categories under it.
    #[serde(default)]
    pub category_id: Option<i64>,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One order a product is in: the marketplace order and, once accepted, the shop order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProductOrder {
    pub order_id: i64,
    pub shop_order_id: Option<i64>,
    /// The number the platform shows.
    pub number: String,
    pub account_name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub quantity: i64,
    #[ts(type = "string")]
    pub price: rust_decimal::Decimal,
    pub currency: String,
}

/// The path a category is shown by.
pub fn category_path(names: &[String]) -> String {
    names.join(" / ")
}
