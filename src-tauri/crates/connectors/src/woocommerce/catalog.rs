//! The products behind a store's order items: their description and their one category, read
//! from `/products` and `/products/categories` once per connection and kept (a store's catalog
//! changes far more slowly than its orders).

use std::collections::{HashMap, HashSet};

use ordertray_core::{ExternalOrder, ProductFacts};
use reqwest::Method;
use serde_json::Value;
use tokio::sync::Mutex;

use super::client::WooClient;
use super::{unescape_html, PER_PAGE};
use crate::ConnectorError;

/// Category pages read at most (100 categories each): far beyond a real store's tree.
const MAX_CATEGORY_PAGES: u32 = 100;

/// A category as the store keeps it: its name and its parent (None at the top).
type Tree = HashMap<i64, (String, Option<i64>)>;

#[derive(Default)]
struct Known {
    /// Read once, when the first product with categories is met.
    tree: Option<Tree>,
    /// By product id; None: the store has no such product any more.
    products: HashMap<i64, Option<ProductFacts>>,
    /// The store refused to show its catalog (a key without the right, a plugin in the way):
    /// items still make products, by what the orders say, without being asked again each page.
    refused: bool,
}

#[derive(Default)]
pub struct StoreCatalog {
    known: Mutex<Known>,
}

impl StoreCatalog {
    /// Gives each item of `orders` its product's facts, reading the products not met before.
    /// A refusal (4xx) leaves the items without them; a failure worth retrying fails the page.
    pub async fn describe(
        &self,
        client: &WooClient,
        orders: &mut [ExternalOrder],
    ) -> Result<(), ConnectorError> {
        let mut known = self.known.lock().await;
        if !known.refused {
            let wanted: Vec<i64> = orders
                .iter()
                .flat_map(|o| &o.lines)
                .filter_map(|l| product_id(&l.sku))
                .filter(|id| !known.products.contains_key(id))
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            match read_products(client, &mut known, &wanted).await {
                Err(ConnectorError::Auth(m) | ConnectorError::Rejected { message: m, .. }) => {
                    tracing::warn!(
                        "the store does not show its products ({m}): items are kept by what orders say"
                    );
                    known.refused = true;
                }
                other => other?,
            }
        }
        for line in orders.iter_mut().flat_map(|o| o.lines.iter_mut()) {
            line.product = product_id(&line.sku).and_then(|id| known.products.get(&id).cloned().flatten());
        }
        Ok(())
    }
}

/// The product id of an item's platform id ("product" or "product/variation").
fn product_id(platform_id: &str) -> Option<i64> {
    platform_id.split('/').next()?.parse().ok().filter(|id| *id > 0)
}

async fn read_products(client: &WooClient, known: &mut Known, wanted: &[i64]) -> Result<(), ConnectorError> {
    for chunk in wanted.chunks(PER_PAGE as usize) {
        let include = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let answer = client
            .call(
                Method::GET,
                "/products",
                &[("include", include), ("per_page", PER_PAGE.to_string())],
                None,
            )
            .await?;
        let Value::Array(items) = answer.body else {
            return Err(ConnectorError::Malformed(
                "/products: the answer is not a list".into(),
            ));
        };
        for id in chunk {
            known.products.insert(*id, None);
        }
        for item in &items {
            let Some(id) = item.get("id").and_then(Value::as_i64) else {
                continue;
            };
            let filed: Vec<(i64, String)> = item
                .get("categories")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|c| Some((c.get("id")?.as_i64()?, unescape_html(c.get("name")?.as_str()?))))
                .collect();
            if !filed.is_empty() && known.tree.is_none() {
                known.tree = Some(read_tree(client).await?);
            }
            let category = match &known.tree {
                Some(tree) => chosen_category(&filed, tree),
                None => chosen_category(&filed, &Tree::new()),
            };
            let text = |key: &str| plain_text(item.get(key).and_then(Value::as_str).unwrap_or_default());
            let description = Some(text("description"))
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| text("short_description"));
            known.products.insert(
                id,
                Some(ProductFacts {
                    description,
                    category,
                }),
            );
        }
    }
    Ok(())
}

async fn read_tree(client: &WooClient) -> Result<Tree, ConnectorError> {
    let mut tree = Tree::new();
    for page in 1..=MAX_CATEGORY_PAGES {
        let answer = client
            .call(
                Method::GET,
                "/products/categories",
                &[("per_page", PER_PAGE.to_string()), ("page", page.to_string())],
                None,
            )
            .await?;
        let Value::Array(items) = answer.body else {
            return Err(ConnectorError::Malformed(
                "/products/categories: the answer is not a list".into(),
            ));
        };
        for c in &items {
            if let (Some(id), Some(name)) = (
                c.get("id").and_then(Value::as_i64),
                c.get("name").and_then(Value::as_str),
            ) {
                let parent = c.get("parent").and_then(Value::as_i64).filter(|p| *p > 0);
                tree.insert(id, (unescape_html(name), parent));
            }
        }
        if items.len() < PER_PAGE as usize || page >= answer.total_pages.unwrap_or(page) {
            break;
        }
    }
    Ok(tree)
}

/// The one category of a product filed under `filed` (id, name), as names from the top down.
/// Categories along one branch: the deepest (the most precise). Otherwise the most general ones
/// (the shallowest), and of those the alphabetically first: one level → the first by name.
pub fn chosen_category(filed: &[(i64, String)], tree: &Tree) -> Vec<String> {
    let paths: Vec<Vec<(i64, String)>> = filed.iter().map(|(id, name)| path_of(*id, name, tree)).collect();
    let Some(deepest) = paths.iter().max_by_key(|p| p.len()) else {
        return vec![];
    };
    let on_one_branch = paths.iter().all(|p| deepest.starts_with(p));
    let chosen = if on_one_branch {
        deepest
    } else {
        let shallowest = paths.iter().map(Vec::len).min().unwrap_or_default();
        paths
            .iter()
            .filter(|p| p.len() == shallowest)
            .min_by_key(|p| p.last().map(|(_, n)| n.to_lowercase()))
            .unwrap_or(deepest)
    };
    chosen.iter().map(|(_, n)| n.clone()).collect()
}

/// From the top of the tree down to `id`; a category the tree does not know stands alone.
fn path_of(id: i64, name: &str, tree: &Tree) -> Vec<(i64, String)> {
    let mut path = vec![];
    let mut at = Some(id);
    while let Some(current) = at {
        // A parent loop in a broken store stops at the tree's size.
        if path.len() > tree.len() {
            break;
        }
        match tree.get(&current) {
            Some((n, parent)) => {
                path.push((current, n.clone()));
                at = *parent;
            }
            None if current == id => {
                path.push((id, name.to_string()));
                at = None;
            }
            None => at = None,
        }
    }
    path.reverse();
    path
}

/// A WooCommerce description (HTML) as plain text: tags dropped, block ends as line breaks,
/// entities read, runs of blank space folded.
pub fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            rest = &rest[start..];
            break;
        };
        let tag = rest[start + 1..start + end].to_ascii_lowercase();
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or_default()
            .to_string();
        if matches!(
            name.as_str(),
            "p" | "br" | "div" | "li" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4" | "tr"
        ) {
            text.push('\n');
        }
        rest = &rest[start + end + 1..];
        // What a script or a style says is not text.
        if matches!(name.as_str(), "script" | "style") && !tag.starts_with('/') {
            let closing = format!("</{name}");
            rest = match rest.to_ascii_lowercase().find(&closing) {
                Some(at) => &rest[at..],
                None => "",
            };
        }
    }
    text.push_str(rest);
    let text = unescape_html(&text);
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Tree {
        [
            (1, ("Запчасти", None)),
            (2, ("Тормоза", Some(1))),
            (3, ("Колодки", Some(2))),
            (4, ("Фильтры", Some(1))),
            (5, ("Аксессуары", None)),
            (6, ("Масла", None)),
        ]
        .into_iter()
        .map(|(id, (n, p))| (id, (n.to_string(), p)))
        .collect()
    }

    fn filed(ids: &[i64]) -> Vec<(i64, String)> {
        let t = tree();
        ids.iter().map(|id| (*id, t[id].0.clone())).collect()
    }

    #[test]
    fn one_branch_at_several_depths_gives_the_deepest() {
        assert_eq!(
            chosen_category(&filed(&[1, 3, 2]), &tree()),
            ["Запчасти", "Тормоза", "Колодки"]
        );
        assert_eq!(chosen_category(&filed(&[2]), &tree()), ["Запчасти", "Тормоза"]);
    }

    #[test]
    fn several_on_one_level_give_the_first_by_name() {
        assert_eq!(chosen_category(&filed(&[6, 5]), &tree()), ["Аксессуары"]);
        assert_eq!(chosen_category(&filed(&[4, 2]), &tree()), ["Запчасти", "Тормоза"]);
    }

    #[test]
    fn several_on_different_levels_give_the_more_general() {
        assert_eq!(chosen_category(&filed(&[3, 6]), &tree()), ["Масла"]);
        assert_eq!(chosen_category(&filed(&[3, 4]), &tree()), ["Запчасти", "Фильтры"]);
    }

    #[test]
    fn no_category_or_one_the_tree_lacks() {
        assert!(chosen_category(&[], &tree()).is_empty());
        assert_eq!(chosen_category(&[(99, "Новинки".into())], &tree()), ["Новинки"]);
    }

    #[test]
    fn descriptions_lose_their_markup() {
        assert_eq!(
            plain_text("<p>Колодки <b>Brembo</b> &amp; датчик</p><ul><li>Перед</li><li>Зад</li></ul><script>x</script>"),
            "Колодки Brembo & датчик\nПеред\nЗад"
        );
        assert_eq!(plain_text("a < b"), "a < b");
    }

    #[test]
    fn variations_count_as_their_product() {
        assert_eq!(product_id("500/501"), Some(500));
        assert_eq!(product_id("500"), Some(500));
        assert_eq!(product_id(""), None);
    }
}
