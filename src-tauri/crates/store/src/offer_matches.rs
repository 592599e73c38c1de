//! Which offers fit an order line: through the SKU the manager bound before (`sku_mappings`), the
//! seller's offer id read as an article, or the SKU read as one; cheapest first. One lookup serves
//! the offer dialog (one line) and the inbox's inline best offer (every line shown, in three
//! index-backed queries however many lines: the mappings by primary key, the offers by
//! `offers_article`).

use std::collections::{BTreeSet, HashMap};

use ordertray_core::pricelist::{article_key, OfferMatch, OfferView};
use ordertray_core::rules::margin_percent;
use ordertray_core::{AccountId, AppError, InboxLine, Thing};
use rust_decimal::Decimal;
use sqlx::Row;

use crate::pricelists::{decimal, offer_view, OFFER_COLUMNS};
use crate::{Result, Store};

/// Offers per article (and brand) a line can be matched with, as the dialog always showed.
const PER_KEY: usize = 500;

/// What a line is looked up by.
#[derive(Debug, Clone)]
pub struct LineLookup {
    pub line_id: i64,
    pub account_id: AccountId,
    pub sku: String,
    pub offer_id: String,
    /// The marketplace's unit price, for the margin.
    pub price: Decimal,
}

impl From<&InboxLine> for LineLookup {
    fn from(l: &InboxLine) -> Self {
        Self {
            line_id: l.line.id,
            account_id: l.account_id,
            sku: l.line.sku.clone(),
            offer_id: l.line.offer_id.clone(),
            price: l.line.price,
        }
    }
}

impl Store {
    /// Offers that fit an order line, cheapest first (the offer dialog's list).
    pub async fn line_offer_matches(&self, line_id: i64) -> Result<Vec<OfferMatch>> {
        let line = sqlx::query(
            "SELECT l.sku, l.offer_id, l.price, o.account_id FROM lines l JOIN orders o ON o.id = l.order_id
             WHERE l.id = ?",
        )
        .bind(line_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| AppError::missing(Thing::Line, line_id))?;
        let lookup = LineLookup {
            line_id,
            account_id: line.get("account_id"),
            sku: line.get("sku"),
            offer_id: line.get("offer_id"),
            price: decimal(line.get("price"))?,
        };
        Ok(self
            .offer_matches(std::slice::from_ref(&lookup))
            .await?
            .remove(&line_id)
            .unwrap_or_default())
    }

    /// The offers that fit each line (cheapest first), by line id; a line no offer fits is absent.
    pub async fn offer_matches(&self, lines: &[LineLookup]) -> Result<HashMap<i64, Vec<OfferMatch>>> {
        if lines.is_empty() {
            return Ok(HashMap::new());
        }
        // SQLite: `json_each` expands the JSON lists bound below.
        let pairs: Vec<(AccountId, &str)> = lines.iter().map(|l| (l.account_id, l.sku.as_str())).collect();
        let mappings: HashMap<(AccountId, String), (String, String)> = sqlx::query(
            "SELECT m.account_id, m.sku, m.brand_key, m.article_key FROM json_each(?) j
             JOIN sku_mappings m ON m.account_id = json_extract(j.value, '$[0]') AND m.sku = json_extract(j.value, '$[1]')",
        )
        .bind(serde_json::to_string(&pairs)?)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            (
                (r.get("account_id"), r.get("sku")),
                (r.get("brand_key"), r.get("article_key")),
            )
        })
        .collect();

        // Per line: (how, article key, brand key), in the order the dialog always tried them.
        let plans: Vec<Vec<(&'static str, String, Option<String>)>> = lines
            .iter()
            .map(|l| {
                let mut plan = vec![];
                if let Some((brand, article)) = mappings.get(&(l.account_id, l.sku.clone())) {
                    plan.push(("mapping", article.clone(), Some(brand.clone())));
                }
                plan.push(("offer_id", article_key(&l.offer_id), None));
                plan.push(("sku", article_key(&l.sku), None));
                plan.retain(|(_, key, _)| !key.is_empty());
                plan
            })
            .collect();
        let keys: BTreeSet<&str> = plans.iter().flatten().map(|(_, k, _)| k.as_str()).collect();
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = sqlx::query(&format!(
            "SELECT {OFFER_COLUMNS}, o.article_key AS akey, o.brand_key AS bkey
             FROM offers o JOIN price_lists p ON p.id = o.list_id
             WHERE o.article_key IN (SELECT value FROM json_each(?))
             ORDER BY CAST(o.price AS REAL), o.id"
        ))
        .bind(serde_json::to_string(&keys)?)
        .fetch_all(&self.pool)
        .await?;
        let mut by_key: HashMap<String, Vec<(String, OfferView)>> = HashMap::new();
        for r in &rows {
            by_key
                .entry(r.get("akey"))
                .or_default()
                .push((r.get("bkey"), offer_view(r)?));
        }

        let mut out = HashMap::new();
        for (line, plan) in lines.iter().zip(plans) {
            let mut seen = BTreeSet::new();
            let mut matches = vec![];
            for (how, key, brand) in plan {
                let Some(offers) = by_key.get(&key) else {
                    continue;
                };
                let fitting = offers
                    .iter()
                    .filter(|(b, _)| brand.as_ref().is_none_or(|want| want == b))
                    .take(PER_KEY);
                for (_, offer) in fitting {
                    if seen.insert(offer.id) {
                        matches.push(OfferMatch {
                            margin_percent: margin_percent(line.price, offer.price),
                            offer: offer.clone(),
                            matched_by: how.to_string(),
                        });
                    }
                }
            }
            matches.sort_by(|a, b| {
                a.offer
                    .price
                    .cmp(&b.offer.price)
                    .then(a.offer.id.cmp(&b.offer.id))
            });
            if !matches.is_empty() {
                out.insert(line.line_id, matches);
            }
        }
        Ok(out)
    }
}
