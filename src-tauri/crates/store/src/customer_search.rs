//! The Customers screen's search: the customers whose name, phone or e-mail holds a fragment,
//! newest customer first, a keyset page at a time. Newest first rather than by latest order, as
//! the list without a search is: the trigram index yields its matches in id order, so a page
//! reads as many matches as it shows whether the fragment is in ten customers or in most of them
//! (by latest order, a common fragment's every match would be read and sorted for each page).

use ordertray_core::cabinet::PageCursor;
use ordertray_core::customer::normalize_phone;
use ordertray_core::CustomerPage;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::shop_orders::{customer_from, CUSTOMER_COLUMNS};
use crate::text_search::{contains_glob, trigram_phrase};
use crate::{Result, Store};

/// How many customers one read of a search of one or two characters checks at most: no index
/// answers such a search, and a fragment in no customer would otherwise have every customer
/// checked before the screen had its first page (0.5 s at 250,000 customers).
const WALK: u32 = 5_000;

impl Store {
    /// A page of the customers whose name, phone or e-mail holds `search` (any case), newest
    /// customer first, after `after` (the page before's `next`); without a search, the list by
    /// latest order ([`Store::customers_page`]). A fragment of one or two characters checks at
    /// most [`WALK`] customers a read: such a read may stop with its page unfilled (even empty)
    /// and a `next` to read on from.
    pub async fn customers_found(
        &self,
        search: &str,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<CustomerPage> {
        if search.trim().is_empty() {
            return self.customers_page(after, limit).await;
        }
        let limit = limit.clamp(1, 10_000);
        // Under a search, ids are the order: the cursor's id alone places it.
        let below = after.map_or(i64::MAX, |c| c.id);
        match index_query(search) {
            Some(query) => self.customers_from_index(&query, below, limit).await,
            None => self.customers_checked(search, below, limit).await,
        }
    }

    async fn customers_from_index(&self, query: &str, below: i64, limit: u32) -> Result<CustomerPage> {
        let rows = sqlx::query(&from_index_sql())
            .bind(query)
            .bind(below)
            .bind(limit + 1)
            .fetch_all(&self.pool)
            .await?;
        page(rows, limit, 0)
    }

    /// A fragment too short for the index, checked against the next [`WALK`] customers at most.
    async fn customers_checked(&self, search: &str, below: i64, limit: u32) -> Result<CustomerPage> {
        let (walked, lowest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT count(*), min(id) FROM (SELECT id FROM customers WHERE id < ?1 ORDER BY id DESC LIMIT ?2)",
        )
        .bind(below)
        .bind(WALK)
        .fetch_one(&self.pool)
        .await?;
        let Some(lowest) = lowest else {
            return page(Vec::new(), limit, 0);
        };
        // GLOB with each letter's cases, as the trigram index matches (see `contains_glob`).
        let rows = sqlx::query(&format!(
            "SELECT {CUSTOMER_COLUMNS} FROM customers c
             WHERE c.id < ?1 AND c.id >= ?2 AND (c.name GLOB ?3 OR c.phone GLOB ?3 OR c.email GLOB ?3)
             ORDER BY c.id DESC LIMIT ?4"
        ))
        .bind(below)
        .bind(lowest)
        .bind(contains_glob(search))
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        if rows.len() > limit as usize {
            // A full page: the read checked the customers down to the page's last one.
            let last: i64 = rows[limit as usize - 1].get("id");
            let checked: i64 =
                sqlx::query_scalar("SELECT count(*) FROM customers WHERE id < ?1 AND id >= ?2")
                    .bind(below)
                    .bind(last)
                    .fetch_one(&self.pool)
                    .await?;
            return page(rows, limit, checked);
        }
        let mut found = page(rows, limit, walked)?;
        // The bound reached with the page unfilled: the next read goes on below the last customer
        // checked (maybe the last customer of all, and then it finds nothing).
        if walked == i64::from(WALK) {
            found.next = Some(PageCursor {
                key: String::new(),
                id: lowest,
            });
            found.stopped = true;
        }
        Ok(found)
    }
}

// SQLite: FTS5 `MATCH`.
/// The customers the index finds for `?1` below the id `?2`, at most `?3`: the index gives its
/// rowids newest first and stops at the page (CROSS JOIN keeps it the outer loop: nothing sorted).
fn from_index_sql() -> String {
    format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers_text t CROSS JOIN customers c ON c.id = t.rowid
         WHERE customers_text MATCH ?1 AND t.rowid < ?2 ORDER BY t.rowid DESC LIMIT ?3"
    )
}

/// A page of at most `limit` of `rows` (read one more than the page, to know whether another
/// follows), going on after its last row when there is more.
fn page(mut rows: Vec<SqliteRow>, limit: u32, checked: i64) -> Result<CustomerPage> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = rows.last().filter(|_| more).map(|r| PageCursor {
        key: String::new(),
        id: r.get("id"),
    });
    Ok(CustomerPage {
        rows: rows.iter().map(customer_from).collect::<Result<_>>()?,
        next,
        checked: u32::try_from(checked).unwrap_or(u32::MAX),
        stopped: false,
    })
}

// SQLite: FTS5 query syntax (phrases joined by `OR`).
/// The search as a query of `customers_text`, or none when it is too short for the index: the
/// fragment as typed and, when it reads as (part of) a phone number, as phones are stored (E.164,
/// digits only): "912 345-67" finds +79123456789, and so do "8 (912) 345-67-89" and "8 912 345"
/// while it is being typed.
fn index_query(search: &str) -> Option<String> {
    let mut phrases = vec![trigram_phrase(search)?];
    for form in phone_forms(search) {
        if let Some(phrase) = trigram_phrase(&form) {
            if !phrases.contains(&phrase) {
                phrases.push(phrase);
            }
        }
    }
    Some(phrases.join(" OR "))
}

/// The forms a phone-like fragment takes in a stored phone: its digits; a Russian number's start
/// in its national form (8 9…) as stored (+7 9…), before it is whole; and the whole number in
/// E.164 when it is one.
fn phone_forms(search: &str) -> Vec<String> {
    let search = search.trim();
    if !search.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
        return Vec::new();
    }
    let digits: String = search.chars().filter(char::is_ascii_digit).collect();
    let national = digits
        .strip_prefix('8')
        .filter(|_| !search.starts_with('+'))
        .map(|rest| format!("+7{rest}"));
    let mut forms = vec![digits];
    forms.extend(national);
    forms.extend(normalize_phone(search));
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_fragment_is_also_looked_up_as_phones_are_stored() {
        assert_eq!(index_query("Анна").as_deref(), Some("\"Анна\""));
        assert_eq!(
            index_query("912 345-67").as_deref(),
            Some("\"912 345-67\" OR \"91234567\"")
        );
        assert_eq!(
            index_query("8 (912) 345-67-89").as_deref(),
            Some("\"8 (912) 345-67-89\" OR \"89123456789\" OR \"+79123456789\"")
        );
        assert!(index_query("8 (900) 000-01-23")
            .unwrap()
            .ends_with(" OR \"+79000000123\""));
        // A national number's start, while it is typed; an international one is left as typed.
        assert_eq!(
            index_query("8 912 345").as_deref(),
            Some("\"8 912 345\" OR \"8912345\" OR \"+7912345\"")
        );
        assert_eq!(
            index_query("+48 601").as_deref(),
            Some("\"+48 601\" OR \"48601\"")
        );
        // Digits alone are searched once; too few digits are not a phone's fragment.
        assert_eq!(index_query("9123").as_deref(), Some("\"9123\""));
        assert_eq!(index_query("(1)").as_deref(), Some("\"(1)\""));
        assert_eq!(index_query("a@"), None);
    }
}

#[cfg(test)]
mod store_tests {
    use super::*;

    /// Customers straight into the table, oldest first: (name, phone, e-mail).
    async fn customers(store: &Store, who: &[(&str, Option<&str>, Option<&str>)]) -> Vec<i64> {
        let mut ids = Vec::new();
        for (name, phone, email) in who {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO customers (name, phone, email, created_at)
                 VALUES (?, ?, ?, '2026-01-01T00:00:00Z') RETURNING id",
            )
            .bind(name)
            .bind(phone)
            .bind(email)
            .fetch_one(store.pool())
            .await
            .unwrap();
            ids.push(id);
        }
        ids
    }

    /// Runs `sql` on the customer `id`, then FTS5's check of the index against the table.
    async fn write(store: &Store, sql: &str, id: i64) {
        sqlx::query(sql).bind(id).execute(store.pool()).await.unwrap();
        sqlx::query("INSERT INTO customers_text (customers_text, rank) VALUES ('integrity-check', 1)")
            .execute(store.pool())
            .await
            .unwrap_or_else(|e| panic!("the index after {sql}: {e}"));
    }

    /// Every customer the search finds, read page after page of `limit`, and how many reads.
    async fn found(store: &Store, search: &str, limit: u32) -> (Vec<i64>, usize) {
        let mut ids = Vec::new();
        let mut after = None;
        let mut reads = 0;
        loop {
            let page = store
                .customers_found(search, after.as_ref(), limit)
                .await
                .unwrap();
            reads += 1;
            assert!(page.rows.len() <= limit as usize);
            ids.extend(page.rows.iter().map(|r| r.customer.id));
            match page.next {
                Some(next) => after = Some(next),
                None => return (ids, reads),
            }
            assert!(reads < 1_000, "{search}: the reads go on");
        }
    }

    #[tokio::test]
    async fn customers_are_found_by_a_fragment_of_their_name_phone_or_email_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("c.db")).await.unwrap();
        let ids = customers(
            &store,
            &[
                ("Смирнова Анна", Some("+79123456789"), None),
                ("Иван Петров", Some("+79160000001"), Some("ivan@example.com")),
                ("АННА КУЗНЕЦОВА", None, Some("kuz@mail.ru")),
                ("Anna Nowak", Some("+48601234567"), Some("anna@EXAMPLE.pl")),
                ("Мария", None, Some("maria@example.com")),
                ("Ольга Анненкова", Some("+79997654321"), None),
            ],
        )
        .await;
        let newest_first = |of: &[usize]| of.iter().rev().map(|&i| ids[i]).collect::<Vec<_>>();
        for limit in [1, 2, 3, 200] {
            // Cyrillic in either case, as the inbox and All orders search.
            assert_eq!(
                found(&store, "анна", limit).await.0,
                newest_first(&[0, 2]),
                "{limit}"
            );
            assert_eq!(
                found(&store, "Анн", limit).await.0,
                newest_first(&[0, 2, 5]),
                "{limit}"
            );
            assert_eq!(
                found(&store, "example", limit).await.0,
                newest_first(&[1, 3, 4]),
                "{limit}"
            );
            // A phone typed with separators, or from its national form.
            assert_eq!(
                found(&store, "912 345-67", limit).await.0,
                newest_first(&[0]),
                "{limit}"
            );
            assert_eq!(
                found(&store, "8 (912) 345-67-89", limit).await.0,
                newest_first(&[0]),
                "{limit}"
            );
            assert_eq!(
                found(&store, "1234567", limit).await.0,
                newest_first(&[0, 3]),
                "{limit}"
            );
            // One or two characters, checked one by one.
            assert_eq!(
                found(&store, "ан", limit).await.0,
                newest_first(&[0, 1, 2, 5]),
                "{limit}"
            );
            assert_eq!(
                found(&store, "@", limit).await.0,
                newest_first(&[1, 2, 3, 4]),
                "{limit}"
            );
            assert_eq!(found(&store, "zzz", limit).await.0, Vec::<i64>::new(), "{limit}");
        }
        // A page that ends the list says so.
        assert_eq!(found(&store, "example", 3).await.1, 1);

        // The index follows the text (after each write FTS5 checks it against the table): a
        // rename takes the old text out, a contact found for a customer who had none (the way
        // an order of a returning buyer fills it in) comes in, a write that leaves the text as it
        // was changes nothing, and a deleted customer goes.
        write(
            &store,
            "UPDATE customers SET name = 'Ольга Анненкова' WHERE id = ?",
            ids[4],
        )
        .await;
        assert_eq!(found(&store, "Мария", 10).await.0, Vec::<i64>::new());
        assert_eq!(found(&store, "Анненков", 10).await.0, newest_first(&[4, 5]));
        write(
            &store,
            "UPDATE customers SET email = COALESCE(email, 'anna.s@mail.ru') WHERE id = ?",
            ids[0],
        )
        .await;
        assert_eq!(found(&store, "anna.s@", 10).await.0, newest_first(&[0]));
        write(
            &store,
            "UPDATE customers SET name = name, order_count = 2 WHERE id = ?",
            ids[0],
        )
        .await;
        assert_eq!(found(&store, "Смирнова", 10).await.0, newest_first(&[0]));
        write(&store, "DELETE FROM customers WHERE id = ?", ids[5]).await;
        assert_eq!(found(&store, "Анненков", 10).await.0, newest_first(&[4]));
        store.close().await;
    }

    #[tokio::test]
    async fn a_short_search_checks_a_bounded_number_of_customers_a_read_and_reads_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("walk.db")).await.unwrap();
        let total = 2 * WALK as i64 + 300;
        // Ids 1..=total; "ъ" in every 1,000th name and in the oldest few.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
             INSERT INTO customers (id, name, created_at)
             SELECT i, CASE WHEN i % 1000 = 0 OR i <= 3 THEN 'Ъ' || i ELSE 'customer ' || i END,
                    '2026-01-01T00:00:00Z' FROM n",
        )
        .bind(total)
        .execute(store.pool())
        .await
        .unwrap();
        let expected: Vec<i64> = (1..=total).rev().filter(|i| i % 1000 == 0 || *i <= 3).collect();

        let first = store.customers_found("ъ", None, 200).await.unwrap();
        assert_eq!(
            first.checked, WALK,
            "one read checks its bound, not every customer"
        );
        assert!(first.stopped);
        let first_ids: Vec<i64> = first.rows.iter().map(|r| r.customer.id).collect();
        assert_eq!(first_ids, expected[..first_ids.len()]);
        assert_eq!(first.next.map(|n| n.id), Some(total - i64::from(WALK) + 1));
        let (all, reads) = found(&store, "ъ", 200).await;
        assert_eq!(all, expected);
        assert_eq!(reads, 3);

        // A full page stops checking at its last match.
        let (all, _) = found(&store, "customer", 200).await;
        assert_eq!(all.len() as i64, total - expected.len() as i64);
        let full = store.customers_found("er", None, 200).await.unwrap();
        assert_eq!(full.rows.len(), 200);
        let last = full.rows.last().unwrap().customer.id;
        assert_eq!(i64::from(full.checked), total - last + 1);
        assert_eq!(full.next.map(|n| n.id), Some(last));
        assert!(!full.stopped, "a full page did not stop at the bound");
        store.close().await;
    }

    #[tokio::test]
    async fn a_search_page_reads_the_index_newest_first_and_sorts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).await.unwrap();
        let sql = format!("EXPLAIN QUERY PLAN {}", from_index_sql());
        let q = sqlx::query(&sql).bind("\"анна\"").bind(i64::MAX).bind(201);
        let p = crate::query_plan(q, store.pool()).await.join("\n");
        assert!(p.starts_with("SCAN t VIRTUAL TABLE"), "{p}");
        assert!(p.contains("SEARCH c USING INTEGER PRIMARY KEY"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
        store.close().await;
    }
}
