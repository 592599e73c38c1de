//! Price lists and their offers. An import replaces a list's offers in one transaction, so a
//! reader sees the old list or the new one, never half of each; text search is FTS5 trigram.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::Utc;
use ordertray_core::pricelist::{article_key, brand_key, ListSettings, OfferRow, OfferView, PriceListView};
use ordertray_core::AppError;
use ordertray_core::{ErrorWords, Thing};
use rust_decimal::Decimal;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::time::{format_ts, parse_opt};
use crate::{Result, Store, StoreError};

/// Rows per INSERT: 10 parameters each, under SQLite's 32,766.
const BATCH_ROWS: usize = 3_000;
/// An import's FTS5 in-memory index before it writes a segment (the default is 1 MB).
const IMPORT_FTS_HASH_BYTES: i64 = 64 << 20;
/// An import's page cache (the connection's default is 2 MB).
const IMPORT_CACHE_KIB: i64 = 128 << 10;
/// SQLite's default page cache, `PRAGMA cache_size = -2000`.
const DEFAULT_CACHE_KIB: i64 = 2_000;
/// What the FTS index holds of an offer: brand, article in its comparable form (0030), name.
const OFFER_TEXT: &str = "brand || ' ' || article_key || ' ' || name";

pub(crate) const OFFER_COLUMNS: &str =
    "o.id, o.list_id, p.name AS list, o.brand, o.article, o.name, o.price, o.stock,
     o.delivery_days, o.supplier";

/// An import in progress: the old offers are gone only inside this transaction until `finish`.
pub struct ListImport {
    tx: crate::WriteTx,
    list_id: i64,
    name: String,
    offers: u64,
    pending: Vec<OfferRow>,
}

impl Store {
    /// Starts replacing the offers of the list called `name` (created if new).
    pub async fn begin_list_import(&self, name: &str, settings: &ListSettings) -> Result<ListImport> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AppError::refused(ErrorWords::NameEmpty {
                thing: Thing::PriceList,
            })
            .into());
        }
        let mut tx = self.begin_write().await?;
        let settings_json = serde_json::to_string(settings)?;
        let list_id: i64 = sqlx::query_scalar(
            "INSERT INTO price_lists (name, settings, created_at) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET settings = excluded.settings RETURNING id",
        )
        .bind(name)
        .bind(&settings_json)
        .bind(format_ts(Utc::now()))
        .fetch_one(&mut *tx)
        .await?;
        // SQLite: a big import's FTS5 index is built in memory up to `hashsize` bytes before a
        // segment is written; at the default 1 MB a million offers made ~150 segments, merged
        // again and again. A bigger page cache keeps the offers' article index in memory while
        // rows land in random article order. Both are bounded, whatever the file's size. `finish`
        // sets the cache back to the default; an import dropped half way leaves its connection
        // with the bigger cache setting (a PRAGMA is not rolled back), which only costs memory
        // if that connection later reads that much.
        sqlx::query("INSERT INTO offers_text (offers_text, rank) VALUES ('hashsize', ?)")
            .bind(IMPORT_FTS_HASH_BYTES)
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))
            .execute(&mut *tx)
            .await?;
        let (this_list, other_lists): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*) FILTER (WHERE list_id = ?1), COUNT(*) FILTER (WHERE list_id <> ?1) FROM offers",
        )
        .bind(list_id)
        .fetch_one(&mut *tx)
        .await?;
        if this_list > other_lists {
            // Deleting a million entries from the FTS index one by one cost as much as filling it:
            // when the other lists hold fewer offers, the index is emptied at once and theirs are
            // indexed again. Still inside the transaction: readers keep the old list until commit.
            // SQLite: FTS5's `delete-all` (contentless table), and without a WHERE clause the
            // DELETE empties the table and its indexes without visiting each row.
            sqlx::query("INSERT INTO offers_text (offers_text) VALUES ('delete-all')")
                .execute(&mut *tx)
                .await?;
            if other_lists == 0 {
                sqlx::query("DELETE FROM offers").execute(&mut *tx).await?;
            } else {
                sqlx::query("DELETE FROM offers WHERE list_id = ?")
                    .bind(list_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(&format!(
                    "INSERT INTO offers_text (rowid, text) SELECT id, {OFFER_TEXT} FROM offers"
                ))
                .execute(&mut *tx)
                .await?;
            }
        } else {
            // SQLite: the FTS5 index of offers, kept by hand.
            sqlx::query("DELETE FROM offers_text WHERE rowid IN (SELECT id FROM offers WHERE list_id = ?)")
                .bind(list_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM offers WHERE list_id = ?")
                .bind(list_id)
                .execute(&mut *tx)
                .await?;
        }
        Ok(ListImport {
            tx,
            list_id,
            name: name.to_string(),
            offers: 0,
            pending: Vec::with_capacity(BATCH_ROWS),
        })
    }

    pub async fn price_lists(&self) -> Result<Vec<PriceListView>> {
        sqlx::query("SELECT * FROM price_lists ORDER BY name")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(list_view)
            .collect()
    }

    pub async fn price_list_by_name(&self, name: &str) -> Result<Option<PriceListView>> {
        sqlx::query("SELECT * FROM price_lists WHERE name = ?")
            .bind(name.trim())
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(list_view)
            .transpose()
    }

    pub async fn delete_price_list(&self, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        // SQLite: the FTS5 index of offers, kept by hand.
        sqlx::query("DELETE FROM offers_text WHERE rowid IN (SELECT id FROM offers WHERE list_id = ?)")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let gone = sqlx::query("DELETE FROM price_lists WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            return Err(AppError::missing(Thing::PriceList, id).into());
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn offer(&self, id: i64) -> Result<Option<OfferView>> {
        sqlx::query(&format!(
            "SELECT {OFFER_COLUMNS} FROM offers o JOIN price_lists p ON p.id = o.list_id WHERE o.id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(offer_view)
        .transpose()
    }

    /// Offers with this article (normalised), optionally of this brand.
    pub async fn offers_by_article(&self, brand: Option<&str>, article: &str) -> Result<Vec<OfferView>> {
        let key = article_key(article);
        if key.is_empty() {
            return Ok(vec![]);
        }
        let brand = brand.map(brand_key).filter(|b| !b.is_empty());
        self.offers_with_keys(&key, brand.as_deref()).await
    }

    /// Offers with this normalised article (and brand), cheapest first.
    async fn offers_with_keys(&self, article_key: &str, brand_key: Option<&str>) -> Result<Vec<OfferView>> {
        sqlx::query(&format!(
            "SELECT {OFFER_COLUMNS} FROM offers o JOIN price_lists p ON p.id = o.list_id
             WHERE o.article_key = ? AND (? IS NULL OR o.brand_key = ?)
             ORDER BY CAST(o.price AS REAL), o.id LIMIT 500"
        ))
        .bind(article_key)
        .bind(brand_key)
        .bind(brand_key)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(offer_view)
        .collect()
    }

    /// Offers whose article is `text` (normalised) first, then those whose brand, article or
    /// name contain every word of it (words shorter than three letters only narrow the article).
    /// Word matches come in list order, not ranked: ranking a broad word ("filter") over a
    /// million offers costs a tenth of a second, and the manager narrows with more words.
    pub async fn search_offers(&self, text: &str, limit: u32) -> Result<Vec<OfferView>> {
        let limit = limit.clamp(1, 1000) as i64;
        let mut found = self.offers_by_article(None, text).await?;
        found.truncate(limit as usize);
        if found.len() as i64 >= limit {
            return Ok(found);
        }
        let seen: BTreeSet<i64> = found.iter().map(|o| o.id).collect();
        let terms: Vec<String> = text.split_whitespace().filter_map(offer_term).collect();
        let rows = if terms.is_empty() {
            // An article begun in fewer than three characters of its comparable form ("w-7"):
            // too short for the trigram index, read from the articles' own index by its start.
            let key = article_key(text);
            if key.chars().count() >= crate::text_search::TRIGRAM || !text.chars().any(char::is_numeric) {
                return Ok(found);
            }
            sqlx::query(&format!(
                "SELECT {OFFER_COLUMNS} FROM offers o JOIN price_lists p ON p.id = o.list_id
                 WHERE o.article_key GLOB ? ORDER BY o.article_key LIMIT ?"
            ))
            // SQLite: a GLOB pattern bound without a leading wildcard reads an index range.
            .bind(format!("{key}*"))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
        } else {
            // SQLite: FTS5 search (`offers_text MATCH`).
            sqlx::query(&format!(
                "SELECT {OFFER_COLUMNS} FROM offers_text t JOIN offers o ON o.id = t.rowid
                 JOIN price_lists p ON p.id = o.list_id
                 WHERE offers_text MATCH ? LIMIT ?"
            ))
            .bind(terms.join(" AND "))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
        };
        for row in &rows {
            let offer = offer_view(row)?;
            if !seen.contains(&offer.id) && (found.len() as i64) < limit {
                found.push(offer);
            }
        }
        Ok(found)
    }
}

/// One typed word as a term of the offers' search index, which holds each article in its
/// comparable form only (`article_key`, migration 0030): a word with a digit is looked for as typed
/// (in a brand or name) or as an article ("W-77" as "W77", "ос90" as "OC90"); one shorter than
/// three characters as an article is left to the article lookups (exact, or by its start when it is
/// all that was typed).
fn offer_term(word: &str) -> Option<String> {
    use crate::text_search::trigram_phrase;
    if !word.chars().any(char::is_numeric) {
        return trigram_phrase(word);
    }
    let key = article_key(word);
    let as_article = trigram_phrase(&key)?;
    if key.to_lowercase() == word.to_lowercase() {
        return Some(as_article);
    }
    Some(match trigram_phrase(word) {
        Some(as_typed) => format!("({as_typed} OR {as_article})"),
        None => as_article,
    })
}

impl ListImport {
    pub fn list_id(&self) -> i64 {
        self.list_id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Offers taken so far.
    pub fn offers(&self) -> u64 {
        self.offers + self.pending.len() as u64
    }

    pub async fn add(&mut self, row: OfferRow) -> Result<()> {
        self.pending.push(row);
        if self.pending.len() >= BATCH_ROWS {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        // Ids go on from the last one ever given (migration 0033), never back to a replaced list's.
        let first_id: i64 = sqlx::query_scalar(
            "UPDATE offer_ids SET last = MAX(last, (SELECT COALESCE(MAX(id), 0) FROM offers)) + ? RETURNING last - ?",
        )
        .bind(self.pending.len() as i64)
        .bind(self.pending.len() as i64)
        .fetch_one(&mut *self.tx)
        .await?;
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO offers (id, list_id, brand_key, article_key, brand, article, name, price, stock,
                delivery_days, supplier) ",
        );
        let mut next_id = first_id;
        q.push_values(self.pending.drain(..), |mut b, r| {
            next_id += 1;
            // A literal, not a bind: a batch already uses nearly all the variables SQLite allows.
            b.push(next_id)
                .push_bind(self.list_id)
                .push_bind(brand_key(&r.brand))
                .push_bind(article_key(&r.article))
                .push_bind(r.brand)
                .push_bind(r.article)
                .push_bind(r.name)
                .push_bind(r.price.to_string())
                .push_bind(r.stock)
                .push_bind(r.delivery_days)
                .push_bind(r.supplier);
        });
        let inserted = q.build().execute(&mut *self.tx).await?.rows_affected();
        self.offers += inserted;
        // SQLite: the FTS5 index of offers, kept by hand.
        sqlx::query(&format!(
            "INSERT INTO offers_text (rowid, text) SELECT id, {OFFER_TEXT} FROM offers WHERE id > ?"
        ))
        .bind(first_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Commits the new offers with the import's figures; dropping the import instead keeps the old list.
    pub async fn finish(mut self, source: Option<&str>, rows_read: u64, rejected: u64) -> Result<u64> {
        self.flush().await?;
        sqlx::query(
            "UPDATE price_lists SET source = ?, rows_read = ?, rows_rejected = ?, offers = ?, imported_at = ?
             WHERE id = ?",
        )
        .bind(source)
        .bind(rows_read as i64)
        .bind(rejected as i64)
        .bind(self.offers as i64)
        .bind(format_ts(Utc::now()))
        .bind(self.list_id)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(&format!("PRAGMA cache_size = -{DEFAULT_CACHE_KIB}"))
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        Ok(self.offers)
    }
}

pub(crate) fn decimal(s: &str) -> Result<Decimal> {
    Decimal::from_str(s).map_err(|e| StoreError::Corrupt(format!("bad amount '{s}': {e}")))
}

fn list_view(r: &SqliteRow) -> Result<PriceListView> {
    Ok(PriceListView {
        id: r.get("id"),
        name: r.get("name"),
        settings: serde_json::from_str::<ListSettings>(r.get("settings"))?,
        source: r.get("source"),
        rows_read: r.get("rows_read"),
        rows_rejected: r.get("rows_rejected"),
        offers: r.get("offers"),
        imported_at: parse_opt(r.get("imported_at"))?,
    })
}

pub(crate) fn offer_view(r: &SqliteRow) -> Result<OfferView> {
    Ok(OfferView {
        id: r.get("id"),
        list_id: r.get("list_id"),
        list: r.get("list"),
        brand: r.get("brand"),
        article: r.get("article"),
        name: r.get("name"),
        price: decimal(r.get("price"))?,
        stock: r.get("stock"),
        delivery_days: r.get("delivery_days"),
        supplier: r.get("supplier"),
    })
}
