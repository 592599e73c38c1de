//! Upserting one page of a sync run: orders, lines, quarantine, audit events and the cursor, in one
//! transaction, so a crash mid-sync loses nothing and repeats nothing.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use ordertray_core::timeline::{ArrivalNote, TimelineEvent};
use ordertray_core::{
    hash_json, is_cancelled_status, sha256_hex, AccountId, CustomerInfo, ExternalOrder, IngestPolicy,
    ProductKey, QuarantinedOrder, SkippedOrder,
};
use sqlx::{QueryBuilder, Row, SqliteConnection};

use crate::arrivals::{record_arrivals, Arriving};
use crate::events::{insert_event, insert_events, NewEvent};
use crate::time::format_ts;
use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrderRef {
    pub order_id: i64,
    pub number: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageOutcome {
    pub new_orders: Vec<NewOrderRef>,
    pub changed_orders: u32,
    /// Orders the marketplace cancelled in this page (they were known and not cancelled before).
    pub cancelled_by_marketplace: Vec<NewOrderRef>,
    pub new_lines: u32,
    pub quarantined: u32,
    /// Known orders the marketplace moved to another status (cancellations are above), with it.
    pub status_changed: Vec<(NewOrderRef, String)>,
    /// New orders already decided in the seller's own cabinet (the integration's ingest policy:
    /// e.g. postings already assembled), imported by the account's option: their lines are to be
    /// accepted, not triaged.
    pub preaccepted: Vec<i64>,
    /// New postings not imported because of the account's options.
    pub skipped: u32,
}

impl PageOutcome {
    /// The new orders that wait for their follow-up: those to announce, those to accept.
    fn arrivals(&self) -> (Vec<i64>, &[i64]) {
        let announced = self.new_orders.iter().map(|o| o.order_id).collect();
        (announced, &self.preaccepted)
    }

    /// A new order that waits for the manager's decision.
    fn count_new(&mut self, order_id: i64, order: &ExternalOrder) {
        self.new_lines += order.lines.len() as u32;
        self.new_orders.push(NewOrderRef {
            order_id,
            number: order.number.clone(),
        });
    }
}

/// Writes one event of an order (or of one of its lines) on the sync's behalf.
async fn sync_event(
    conn: &mut SqliteConnection,
    account_id: AccountId,
    (order_id, line_id): (Option<i64>, Option<i64>),
    event: &TimelineEvent,
) -> Result<()> {
    insert_event(
        conn,
        NewEvent {
            account_id: Some(account_id),
            order_id,
            line_id,
            actor: "sync",
            event,
        },
    )
    .await
}

/// The timeline's record of how the order is to be delivered.
fn delivery_details(marketplace: &str, text: &str) -> TimelineEvent {
    TimelineEvent::DeliveryDetails {
        marketplace: marketplace.to_string(),
        text: text.to_string(),
    }
}

/// The timeline's record of a new order's arrival.
fn arrived(order: &ExternalOrder, marketplace: &str, note: Option<ArrivalNote>) -> TimelineEvent {
    TimelineEvent::Arrived {
        order: order.number.clone(),
        marketplace: marketplace.to_string(),
        lines: order.lines.len() as u32,
        status: order.status.clone(),
        note,
    }
}

/// A page as stored: its orders, their payloads, what was set aside and what was left out.
type PageParts<'a> = (
    &'a [ExternalOrder],
    &'a Payloads,
    &'a [QuarantinedOrder],
    &'a [SkippedOrder],
);

impl Store {
    /// Stores one page and the connector's next cursor atomically.
    pub async fn apply_page(
        &self,
        account_id: AccountId,
        marketplace: &str,
        orders: &[ExternalOrder],
        quarantined: &[QuarantinedOrder],
        next_cursor: &str,
        now: DateTime<Utc>,
    ) -> Result<PageOutcome> {
        // Nothing waits for a follow-up: the engine's runs store with their source.
        self.store_page(
            (account_id, marketplace, None),
            (orders, &Payloads::of(orders), quarantined, &[]),
            next_cursor,
            now,
        )
        .await
    }

    /// [`Self::apply_page`] with the orders' payloads made beforehand (the sync makes them
    /// beside the page being stored), the orders the import rules left out, noted in the
    /// account's sync log, and the new orders recorded as waiting for their run's follow-up
    /// (see `arrivals`), all in the same transaction.
    pub async fn apply_page_with_skips(
        &self,
        (account_id, marketplace, source): (AccountId, &str, &Arriving<'_>),
        page: PageParts<'_>,
        next_cursor: &str,
        now: DateTime<Utc>,
    ) -> Result<PageOutcome> {
        self.store_page((account_id, marketplace, Some(source)), page, next_cursor, now)
            .await
    }

    async fn store_page(
        &self,
        (account_id, marketplace, source): (AccountId, &str, Option<&Arriving<'_>>),
        (orders, payloads, quarantined, skipped): PageParts<'_>,
        next_cursor: &str,
        now: DateTime<Utc>,
    ) -> Result<PageOutcome> {
        assert_eq!(payloads.0.len(), orders.len(), "one payload per order");
        let mut tx = self.begin_write().await?;
        let now_s = format_ts(now);
        let out = upsert_all(
            &mut tx,
            (account_id, marketplace),
            (orders, &payloads.0),
            quarantined,
            &now_s,
        )
        .await?;
        crate::skipped_orders::record_skipped(&mut tx, account_id, skipped, &now_s).await?;
        if let Some(source) = source {
            let (announced, accepted) = out.arrivals();
            record_arrivals(&mut tx, (account_id, source), (&announced, accepted), &now_s).await?;
        }
        save_cursor(&mut tx, account_id, next_cursor, &now_s).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Whether storing this page would change nothing but the cursor: every order stored already
    /// with the same payload, none set aside or quarantined. Read without the write lock, so that
    /// a page that brings nothing new (most pages of a poll, every page of a first sync's second
    /// read) takes no write turn at all.
    pub async fn page_changes_nothing(
        &self,
        account_id: AccountId,
        (orders, payloads, quarantined, skipped): PageParts<'_>,
    ) -> Result<bool> {
        assert_eq!(payloads.0.len(), orders.len(), "one payload per order");
        if !quarantined.is_empty() || !skipped.is_empty() {
            return Ok(false);
        }
        let mut conn = self.pool.acquire().await?;
        let ids: Vec<&str> = orders.iter().map(|o| o.external_id.as_str()).collect();
        let known = known_orders(&mut conn, account_id, &ids).await?;
        Ok(orders.iter().zip(&payloads.0).all(|(order, payload)| {
            known
                .get(&order.external_id)
                .is_some_and(|k| k.content_hash == payload.hash)
        }))
    }

    /// Keeps the connector's cursor after pages that changed nothing (see
    /// [`Self::page_changes_nothing`]): the run stopped before a page that stored one.
    pub async fn keep_cursor(&self, account_id: AccountId, cursor: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        save_cursor(&mut tx, account_id, cursor, &format_ts(now)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores orders a marketplace pushed to us (the intake) like a sync page, without a cursor:
    /// one transaction, upserted on (account, external id), so a repeated push changes nothing
    /// and a changed one updates the order. Its new orders wait for their follow-up like a run's,
    /// held by `owner`.
    pub async fn apply_pushed(
        &self,
        (account_id, marketplace, owner): (AccountId, &str, &str),
        orders: &[ExternalOrder],
        quarantined: &[QuarantinedOrder],
        now: DateTime<Utc>,
    ) -> Result<PageOutcome> {
        let payloads = Payloads::of(orders);
        let mut tx = self.begin_write().await?;
        let now = format_ts(now);
        let out = upsert_all(
            &mut tx,
            (account_id, marketplace),
            (orders, &payloads.0),
            quarantined,
            &now,
        )
        .await?;
        let source = Arriving { owner, run: None };
        let (announced, accepted) = out.arrivals();
        // Stamped when stored, not received: a push that waited behind a long sync for its turn
        // is not overdue before its follow-up could start.
        let stored = format_ts(Utc::now());
        record_arrivals(&mut tx, (account_id, &source), (&announced, accepted), &stored).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn quarantined_count(&self, account_id: AccountId) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM quarantine WHERE account_id = ?")
                .bind(account_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

async fn save_cursor(
    conn: &mut SqliteConnection,
    account_id: AccountId,
    cursor: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_cursors (account_id, cursor, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (account_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
    )
    .bind(account_id)
    .bind(cursor)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The buyer's address field by field (JSON of [`ordertray_core::Address`]) when it has fields:
/// orders and customers made from the order copy them; a line that could not be split stays
/// `buyer_address` alone.
fn address_parts_json(customer: &CustomerInfo) -> Option<String> {
    let a = customer.address_fields();
    a.has_parts().then(|| serde_json::to_string(&a).ok()).flatten()
}

/// Each order's raw payload as the text stored, and that text's hash ([`ExternalOrder::content_hash`]):
/// made once, before the write lock is taken, so the lock is held only for the database's work.
pub struct Payloads(Vec<Payload>);

impl Payloads {
    pub fn of(orders: &[ExternalOrder]) -> Self {
        Self(
            orders
                .iter()
                .map(|o| {
                    let raw = o.raw.to_string();
                    Payload {
                        hash: sha256_hex(raw.as_bytes()),
                        raw,
                    }
                })
                .collect(),
        )
    }
}

struct Payload {
    hash: String,
    raw: String,
}

/// What the store already holds of an order: enough to tell whether it changed.
struct Known {
    id: i64,
    status: String,
    content_hash: String,
}

/// The page's orders the store already has, by external id, in one query (not one per order).
async fn known_orders(
    conn: &mut SqliteConnection,
    account_id: AccountId,
    external_ids: &[&str],
) -> Result<HashMap<String, Known>> {
    if external_ids.is_empty() {
        return Ok(HashMap::new());
    }
    // SQLite: `json_each` expands the JSON list of external ids.
    let rows = sqlx::query(
        "SELECT external_id, id, status, content_hash FROM orders
         WHERE account_id = ? AND external_id IN (SELECT value FROM json_each(?))",
    )
    .bind(account_id)
    .bind(serde_json::to_string(external_ids)?)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let known = Known {
                id: r.get("id"),
                status: r.get("status"),
                content_hash: r.get("content_hash"),
            };
            (r.get("external_id"), known)
        })
        .collect())
}

async fn upsert_all(
    conn: &mut SqliteConnection,
    (account_id, marketplace): (AccountId, &str),
    (orders, payloads): (&[ExternalOrder], &[Payload]),
    quarantined: &[QuarantinedOrder],
    now: &str,
) -> Result<PageOutcome> {
    let mut out = PageOutcome::default();
    let policy = crate::account_options::account_policy(conn, account_id)
        .await?
        .ingest;
    let ids: Vec<&str> = orders.iter().map(|o| o.external_id.as_str()).collect();
    let mut known = known_orders(conn, account_id, &ids).await?;
    let mut seen = HashSet::new();
    // New orders, stored together (a few statements for the page, not several per order).
    let mut fresh: Vec<Fresh> = vec![];
    for (order, payload) in orders.iter().zip(payloads) {
        let existing = if seen.insert(order.external_id.as_str()) {
            known.remove(&order.external_id)
        } else {
            // The same order twice in one page: the first may just have stored or changed it.
            store_fresh(
                conn,
                (account_id, marketplace, policy.catalog),
                &mut fresh,
                now,
                &mut out,
            )
            .await?;
            known_orders(conn, account_id, &[order.external_id.as_str()])
                .await?
                .remove(&order.external_id)
        };
        // Unchanged since the last poll: nothing to do (most of a page in a steady state).
        if existing.as_ref().is_some_and(|k| k.content_hash == payload.hash) {
            continue;
        }
        let decided = policy
            .decided_elsewhere
            .as_ref()
            .filter(|d| !order.read_only && d.covers(&order.status));
        if existing.is_none() && !order.read_only && !order.lines.is_empty() {
            if decided.is_some_and(|d| !d.import) {
                out.skipped += 1;
            } else {
                fresh.push(Fresh {
                    order,
                    payload,
                    assembled: decided.is_some(),
                    accept: policy.accept_on_arrival,
                });
            }
            continue;
        }
        let context = (account_id, marketplace, &policy);
        upsert_order(conn, context, (order, payload), existing, now, &mut out).await?;
    }
    store_fresh(
        conn,
        (account_id, marketplace, policy.catalog),
        &mut fresh,
        now,
        &mut out,
    )
    .await?;
    for q in quarantined {
        quarantine(conn, account_id, q, now).await?;
        out.quarantined += 1;
    }
    Ok(out)
}

/// A new order of the page, not read-only and with lines: the common case, stored in bulk.
struct Fresh<'a> {
    order: &'a ExternalOrder,
    payload: &'a Payload,
    /// Decided in the seller's own cabinet (the integration's ingest policy): to be accepted.
    assembled: bool,
    /// Accepted on arrival by the account's option, announced like any new order.
    accept: bool,
}

/// Rows per multi-row INSERT (SQLite allows 32,766 bound values a statement).
const ROWS_PER_INSERT: usize = 500;

/// Stores the new orders gathered so far, their lines, their "arrived" events and their leaving
/// quarantine, in a few statements, and says what they bring; `fresh` is left empty.
async fn store_fresh(
    conn: &mut SqliteConnection,
    (account_id, marketplace, catalog): (AccountId, &str, Option<ProductKey>),
    fresh: &mut Vec<Fresh<'_>>,
    now: &str,
    out: &mut PageOutcome,
) -> Result<()> {
    if fresh.is_empty() {
        return Ok(());
    }
    // An order that arrives already cancelled is stored for the record but needs no decision.
    let cancelled_note = format!("Cancelled on {marketplace}");
    let mut ids: HashMap<String, i64> = HashMap::with_capacity(fresh.len());
    for chunk in fresh.chunks(ROWS_PER_INSERT / 5) {
        let mut q = QueryBuilder::new(
            "INSERT INTO orders (account_id, external_id, number, status, created_at, first_seen_at, updated_at,
                buyer_name, buyer_phone, buyer_email, buyer_address, buyer_address_parts, region, available_actions,
                content_hash, raw, changed_by_marketplace, read_only, ship_by, delivery_note, buyer_first_name,
                buyer_last_name) ",
        );
        let mut failed = None;
        q.push_values(chunk, |mut b, f| {
            let o = f.order;
            let customer = o.customer.clone().unwrap_or_default();
            let address_parts = address_parts_json(&customer);
            let actions = serde_json::to_string(&o.available_actions).unwrap_or_else(|e| {
                failed = Some(e);
                String::new()
            });
            b.push_bind(account_id)
                .push_bind(o.external_id.clone())
                .push_bind(o.number.clone())
                .push_bind(o.status.clone())
                .push_bind(format_ts(o.created_at))
                .push_bind(now.to_string())
                .push_bind(now.to_string())
                .push_bind(customer.name)
                .push_bind(customer.phone)
                .push_bind(customer.email)
                .push_bind(customer.address)
                .push_bind(address_parts)
                .push_bind(o.region.clone())
                .push_bind(actions)
                .push_bind(f.payload.hash.as_str())
                .push_bind(f.payload.raw.as_str())
                .push_bind(is_cancelled_status(&o.status).then(|| cancelled_note.clone()))
                .push_bind(false)
                .push_bind(o.ship_by.map(format_ts))
                .push_bind(o.delivery_note.clone())
                .push_bind(customer.first_name)
                .push_bind(customer.last_name);
        });
        if let Some(e) = failed {
            return Err(e.into());
        }
        // RETURNING gives no order of its rows: each id comes with its external id.
        q.push(" RETURNING id, external_id");
        for r in q.build().fetch_all(&mut *conn).await? {
            ids.insert(r.get("external_id"), r.get("id"));
        }
    }
    let id_of = |f: &Fresh| ids.get(&f.order.external_id).copied().unwrap_or_default();
    let lines: Vec<(i64, &str, &ordertray_core::ExternalLine)> = fresh
        .iter()
        .flat_map(|f| {
            let (id, o) = (id_of(f), f.order);
            o.lines.iter().map(move |l| (id, o.external_id.as_str(), l))
        })
        .collect();
    // What the inbox sorts by, carried on each line (migrations 0015 and 0016): the order's
    // creation time, ship-by deadline and whether the buyer cancelled it; and its account (0031).
    let sort_keys: HashMap<&str, (String, Option<String>, bool)> = fresh
        .iter()
        .map(|f| {
            let o = f.order;
            let keys = (
                format_ts(o.created_at),
                o.ship_by.map(format_ts),
                is_cancelled_status(&o.status),
            );
            (o.external_id.as_str(), keys)
        })
        .collect();
    for chunk in lines.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::new(
            "INSERT INTO lines (order_id, external_id, sku, offer_id, name, quantity, price, currency, order_created_at,
                order_ship_by, order_cancelled, account_id) ",
        );
        q.push_values(chunk, |mut b, (order_id, order_ext, l)| {
            let keys = sort_keys.get(order_ext);
            b.push_bind(*order_id)
                .push_bind(l.external_id.clone())
                .push_bind(l.sku.clone())
                .push_bind(l.offer_id.clone())
                .push_bind(l.name.clone())
                .push_bind(l.quantity)
                .push_bind(l.price.to_string())
                .push_bind(l.currency.clone())
                .push_bind(keys.map(|k| k.0.clone()))
                .push_bind(keys.and_then(|k| k.1.clone()))
                .push_bind(keys.map(|k| k.2))
                .push_bind(account_id);
        });
        q.build().execute(&mut *conn).await?;
    }
    if let Some(key) = catalog {
        let items: Vec<(i64, &ordertray_core::ExternalLine)> =
            lines.iter().map(|(id, _, l)| (*id, *l)).collect();
        crate::catalog::link_products(conn, key, &items, now).await?;
    }
    let mut events = Vec::with_capacity(fresh.len());
    for f in fresh.iter() {
        let (order_id, o) = (id_of(f), f.order);
        let note = if is_cancelled_status(&o.status) {
            Some(ArrivalNote::Cancelled)
        } else if f.assembled {
            out.preaccepted.push(order_id);
            Some(ArrivalNote::Assembled)
        } else if f.accept {
            out.preaccepted.push(order_id);
            out.count_new(order_id, o);
            Some(ArrivalNote::AcceptedOnArrival)
        } else {
            out.count_new(order_id, o);
            None
        };
        let event = arrived(o, marketplace, note);
        events.push((order_id, event));
        if let Some(text) = &o.delivery_note {
            events.push((order_id, delivery_details(marketplace, text)));
        }
    }
    let events: Vec<NewEvent> = events
        .iter()
        .map(|(order_id, event)| NewEvent {
            account_id: Some(account_id),
            order_id: Some(*order_id),
            line_id: None,
            actor: "sync",
            event,
        })
        .collect();
    insert_events(conn, &events).await?;
    let external_ids: Vec<&str> = fresh.iter().map(|f| f.order.external_id.as_str()).collect();
    // SQLite: `json_each` expands the JSON list of external ids.
    let external_ids = serde_json::to_string(&external_ids)?;
    sqlx::query(
        "DELETE FROM quarantine WHERE account_id = ? AND external_id IN (SELECT value FROM json_each(?))",
    )
    .bind(account_id)
    .bind(&external_ids)
    .execute(&mut *conn)
    .await?;
    crate::skipped_orders::forget_skipped(conn, account_id, &external_ids).await?;
    fresh.clear();
    Ok(())
}

async fn upsert_order(
    conn: &mut SqliteConnection,
    (account_id, marketplace, policy): (AccountId, &str, &IngestPolicy),
    (order, payload): (&ExternalOrder, &Payload),
    existing: Option<Known>,
    now: &str,
    out: &mut PageOutcome,
) -> Result<()> {
    let (raw, hash) = (&payload.raw, &payload.hash);
    let actions = serde_json::to_string(&order.available_actions)?;
    let customer = order.customer.clone().unwrap_or_default();

    // (Orders the marketplace fulfils itself are its own to decide: the option is about the
    // seller's.)
    let decided = policy
        .decided_elsewhere
        .as_ref()
        .filter(|d| !order.read_only && d.covers(&order.status));
    let assembled = decided.is_some();
    if existing.is_none() && decided.is_some_and(|d| !d.import) {
        out.skipped += 1;
        return Ok(());
    }
    let Some(existing) = existing else {
        if order.lines.is_empty() {
            // A status-only push for an order not received yet: nothing to move, kept to be seen.
            let q = QuarantinedOrder {
                external_id: Some(order.external_id.clone()),
                reason: format!(
                    "status «{}» for order {}, which has not arrived yet",
                    order.status, order.number
                ),
                raw: order.raw.clone(),
            };
            quarantine(conn, account_id, &q, now).await?;
            out.quarantined += 1;
            return Ok(());
        }
        let order_id: i64 = sqlx::query_scalar(
            "INSERT INTO orders (account_id, external_id, number, status, created_at, first_seen_at, updated_at,
                buyer_name, buyer_phone, buyer_email, buyer_address, buyer_address_parts, region, available_actions,
                content_hash, raw, changed_by_marketplace, read_only, delivery_note, buyer_first_name, buyer_last_name)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?) RETURNING id",
        )
        .bind(account_id)
        .bind(&order.external_id)
        .bind(&order.number)
        .bind(&order.status)
        .bind(format_ts(order.created_at))
        .bind(now)
        .bind(now)
        .bind(&customer.name)
        .bind(&customer.phone)
        .bind(&customer.email)
        .bind(&customer.address)
        .bind(address_parts_json(&customer))
        .bind(&order.region)
        .bind(&actions)
        .bind(hash)
        .bind(raw)
        .bind(order.read_only)
        .bind(&order.delivery_note)
        .bind(&customer.first_name)
        .bind(&customer.last_name)
        .fetch_one(&mut *conn)
        .await?;
        let created_at = format_ts(order.created_at);
        for line in &order.lines {
            insert_line(conn, order_id, Some(&created_at), line).await?;
        }
        link_catalog(conn, policy.catalog, order_id, order, now).await?;
        crate::ship_by::keep_ship_by(conn, order_id, order.ship_by, order.partial).await?;
        // An order that arrives already cancelled is stored for the record but needs no decision.
        let state_note = if order.read_only {
            file_read_only(conn, account_id, order_id, now).await?;
            let cancelled = is_cancelled_status(&order.status);
            apply_incoming_status(
                conn,
                account_id,
                order_id,
                (marketplace, &order.status, cancelled),
            )
            .await?;
            Some(ArrivalNote::ReadOnly)
        } else if is_cancelled_status(&order.status) {
            sqlx::query("UPDATE orders SET changed_by_marketplace = ? WHERE id = ?")
                .bind(format!("Cancelled on {marketplace}"))
                .bind(order_id)
                .execute(&mut *conn)
                .await?;
            Some(ArrivalNote::Cancelled)
        } else if assembled {
            out.preaccepted.push(order_id);
            Some(ArrivalNote::Assembled)
        } else {
            out.count_new(order_id, order);
            None
        };
        let mut events = vec![arrived(order, marketplace, state_note)];
        events.extend(
            order
                .delivery_note
                .as_deref()
                .map(|text| delivery_details(marketplace, text)),
        );
        for event in &events {
            sync_event(conn, account_id, (Some(order_id), None), event).await?;
        }
        sqlx::query("DELETE FROM quarantine WHERE account_id = ? AND external_id = ?")
            .bind(account_id)
            .bind(&order.external_id)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    };

    let order_id = existing.id;
    out.changed_orders += 1;
    let old_status = existing.status;
    // SQLite: `json_extract` on the raw order (read only for an order that changed).
    let (old_boxes, old_delivery): (Option<i64>, Option<String>) =
        sqlx::query_as("SELECT json_extract(raw, '$.multi_box_qty'), delivery_note FROM orders WHERE id = ?")
            .bind(order_id)
            .fetch_one(&mut *conn)
            .await?;
    if let Some(text) = order
        .delivery_note
        .as_ref()
        .filter(|n| old_delivery.as_ref() != Some(*n))
    {
        let event = delivery_details(marketplace, text);
        sync_event(conn, account_id, (Some(order_id), None), &event).await?;
    }
    // A partial order (a push of what changed) leaves out what did not: keep those fields.
    sqlx::query(
        "UPDATE orders SET number = IIF(?13, number, ?1), status = ?2, updated_at = ?3,
            buyer_name = IIF(?13, COALESCE(?4, buyer_name), ?4), buyer_phone = IIF(?13, COALESCE(?5, buyer_phone), ?5),
            buyer_email = IIF(?13, COALESCE(?6, buyer_email), ?6),
            buyer_address = IIF(?13, COALESCE(?7, buyer_address), ?7), region = IIF(?13, COALESCE(?8, region), ?8),
            buyer_address_parts = IIF(?13, COALESCE(?14, buyer_address_parts), ?14),
            available_actions = ?9, content_hash = ?10, raw = ?11, delivery_note = COALESCE(?15, delivery_note),
            buyer_first_name = IIF(?13, COALESCE(?16, buyer_first_name), ?16),
            buyer_last_name = IIF(?13, COALESCE(?17, buyer_last_name), ?17)
         WHERE id = ?12",
    )
    .bind(&order.number)
    .bind(&order.status)
    .bind(now)
    .bind(&customer.name)
    .bind(&customer.phone)
    .bind(&customer.email)
    .bind(&customer.address)
    .bind(&order.region)
    .bind(&actions)
    .bind(hash)
    .bind(raw)
    .bind(order_id)
    .bind(order.partial)
    .bind(address_parts_json(&customer))
    .bind(&order.delivery_note)
    .bind(&customer.first_name)
    .bind(&customer.last_name)
    .execute(&mut *conn)
    .await?;
    crate::ship_by::keep_ship_by(conn, order_id, order.ship_by, order.partial).await?;

    if old_status != order.status {
        let event = TimelineEvent::StatusChanged {
            marketplace: marketplace.to_string(),
            from: old_status.clone(),
            to: order.status.clone(),
        };
        sync_event(conn, account_id, (Some(order_id), None), &event).await?;
        let this = NewOrderRef {
            order_id,
            number: order.number.clone(),
        };
        let cancelled_now = is_cancelled_status(&order.status) && !is_cancelled_status(&old_status);
        if order.read_only || (cancelled_now && all_lines_rejected(conn, order_id).await?) {
            // The marketplace's own business, or the cancel we asked for by rejecting every line:
            // recorded on the timeline, never announced as the marketplace's doing.
        } else if cancelled_now {
            let note = format!("Cancelled on {marketplace}");
            sqlx::query("UPDATE orders SET changed_by_marketplace = ? WHERE id = ?")
                .bind(&note)
                .bind(order_id)
                .execute(&mut *conn)
                .await?;
            out.cancelled_by_marketplace.push(this);
        } else {
            out.status_changed.push((this, order.status.clone()));
        }
        apply_incoming_status(
            conn,
            account_id,
            order_id,
            (marketplace, &order.status, cancelled_now),
        )
        .await?;
    }
    let boxes = order.raw.get("multi_box_qty").and_then(serde_json::Value::as_i64);
    if let (Some(before), Some(after)) = (old_boxes, boxes) {
        if before != after {
            let event = TimelineEvent::CargoPlaces {
                marketplace: marketplace.to_string(),
                from: before,
                to: after,
            };
            sync_event(conn, account_id, (Some(order_id), None), &event).await?;
        }
    }
    let new_lines_before = out.new_lines;
    sync_lines(conn, account_id, order_id, order, out).await?;
    link_catalog(conn, policy.catalog, order_id, order, now).await?;
    if order.read_only {
        out.new_lines = new_lines_before;
        file_read_only(conn, account_id, order_id, now).await?;
    }
    // Barcodes, cargo places and line changes reach the shop order made from it.
    crate::shop_order_sync::refresh_from_lines(conn, order_id).await
}

/// One order's items in the catalog, when the account keeps one.
async fn link_catalog(
    conn: &mut SqliteConnection,
    catalog: Option<ProductKey>,
    order_id: i64,
    order: &ExternalOrder,
    now: &str,
) -> Result<()> {
    let Some(key) = catalog else {
        return Ok(());
    };
    let items: Vec<(i64, &ordertray_core::ExternalLine)> =
        order.lines.iter().map(|l| (order_id, l)).collect();
    crate::catalog::link_products(conn, key, &items, now).await
}

/// A read-only (FBO) order's lines go straight onto its shop order, accepted without a decision:
/// no decision time (the charts' decisions and decision times leave them out), the first "new"
/// shop status, and the shop order shaped by the account's options when it is first made.
async fn file_read_only(
    conn: &mut SqliteConnection,
    account_id: AccountId,
    order_id: i64,
    now: &str,
) -> Result<()> {
    let lines: BTreeSet<i64> =
        sqlx::query_scalar("SELECT id FROM lines WHERE order_id = ? AND state = 'new'")
            .bind(order_id)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    if lines.is_empty() {
        return Ok(());
    }
    sqlx::query(&format!(
        "UPDATE lines SET state = 'accepted', shop_status_id = {first}
         WHERE order_id = ? AND state = 'new'",
        first = crate::shop_statuses::first_new_status()
    ))
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    let (shop_order_id, created) =
        crate::shop_order_sync::place_on_shop_order(conn, order_id, None, &lines, now).await?;
    if created {
        if let Some(s) = crate::account_options::shop_order_policy(conn, account_id).await? {
            crate::account_options::shape_new_shop_order(conn, shop_order_id, order_id, &s).await?;
        }
    }
    crate::shop_order_sync::refresh_from_lines(conn, order_id).await
}

/// Whether the manager rejected every line of the order (so a cancel that follows is ours).
async fn all_lines_rejected(conn: &mut SqliteConnection, order_id: i64) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) > 0 AND COUNT(*) = SUM(state = 'rejected') FROM lines
         WHERE order_id = ? AND removed_by_marketplace = 0",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// New lines are added, vanished ones flagged (never deleted: their triage history stays), and
/// quantity/price changes applied.
async fn sync_lines(
    conn: &mut SqliteConnection,
    account_id: AccountId,
    order_id: i64,
    order: &ExternalOrder,
    out: &mut PageOutcome,
) -> Result<()> {
    // A rejected line is one we asked the marketplace to cancel: its leaving the order is that
    // cancel taking effect, so it is never counted as removed (it stays among the rejected).
    let known: Vec<(i64, String, i64, i64)> = sqlx::query(
        "SELECT id, external_id, removed_by_marketplace OR state = 'rejected' AS settled, quantity
         FROM lines WHERE order_id = ?",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        (
            r.get("id"),
            r.get("external_id"),
            r.get("settled"),
            r.get("quantity"),
        )
    })
    .collect();
    let incoming: HashSet<&str> = order.lines.iter().map(|l| l.external_id.as_str()).collect();
    for line in &order.lines {
        match known.iter().find(|(_, ext, _, _)| ext == &line.external_id) {
            Some((id, _, _, quantity)) => {
                sqlx::query(
                    "UPDATE lines SET sku = ?, offer_id = ?, name = ?, quantity = ?, price = ?, currency = ?,
                        removed_by_marketplace = 0 WHERE id = ?",
                )
                .bind(&line.sku)
                .bind(&line.offer_id)
                .bind(&line.name)
                .bind(line.quantity)
                .bind(line.price.to_string())
                .bind(&line.currency)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                if *quantity != line.quantity {
                    crate::shop_order_sync::apply_quantity_change(
                        conn,
                        (account_id, order_id, *id),
                        (&line.name, *quantity, line.quantity),
                    )
                    .await?;
                }
            }
            None => {
                // (The order's creation time comes from the order itself: see migration 0015.)
                let line_id = insert_line(conn, order_id, None, line).await?;
                out.new_lines += 1;
                let event = TimelineEvent::LineAdded {
                    name: line.name.clone(),
                    sku: line.sku.clone(),
                };
                sync_event(conn, account_id, (Some(order_id), Some(line_id)), &event).await?;
            }
        }
    }
    // Only a whole order says a line is gone; a partial one holds just the lines that changed.
    for (id, ext, settled, _) in known.iter().filter(|_| !order.partial) {
        if *settled == 0 && !incoming.contains(ext.as_str()) {
            sqlx::query("UPDATE lines SET removed_by_marketplace = 1 WHERE id = ?")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            let event = TimelineEvent::LineRemoved { line: ext.clone() };
            sync_event(conn, account_id, (Some(order_id), Some(*id)), &event).await?;
        }
    }
    Ok(())
}

/// A new line; `order_created_at` is its order's creation time as stored (the inbox's sort key),
/// or None to have it read from the order.
async fn insert_line(
    conn: &mut SqliteConnection,
    order_id: i64,
    order_created_at: Option<&str>,
    line: &ordertray_core::ExternalLine,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO lines (order_id, external_id, sku, offer_id, name, quantity, price, currency, order_created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(order_id)
    .bind(&line.external_id)
    .bind(&line.sku)
    .bind(&line.offer_id)
    .bind(&line.name)
    .bind(line.quantity)
    .bind(line.price.to_string())
    .bind(&line.currency)
    .bind(order_created_at)
    .fetch_one(conn)
    .await?)
}

async fn quarantine(
    conn: &mut SqliteConnection,
    account_id: AccountId,
    q: &QuarantinedOrder,
    now: &str,
) -> Result<()> {
    let raw_hash = hash_json(&q.raw);
    // SQLite: `INSERT OR IGNORE`.
    let inserted = sqlx::query(
        "INSERT OR IGNORE INTO quarantine (account_id, external_id, reason, raw, raw_hash, first_seen_at, last_seen_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(account_id)
    .bind(&q.external_id)
    .bind(&q.reason)
    .bind(q.raw.to_string())
    .bind(&raw_hash)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        sqlx::query("UPDATE quarantine SET last_seen_at = ? WHERE account_id = ? AND raw_hash = ?")
            .bind(now)
            .bind(account_id)
            .bind(&raw_hash)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    }
    let event = TimelineEvent::Quarantined {
        external_id: q.external_id.clone(),
        reason: q.reason.clone(),
    };
    sync_event(conn, account_id, (None, None), &event).await
}

/// The marketplace moved an order to `status`: accepted lines take the shop status the account
/// maps it to, in the sync's transaction. Nothing is sent back: the marketplace made the change.
/// A cancellation moves every accepted line; any other status leaves refused and removed ones.
async fn apply_incoming_status(
    conn: &mut SqliteConnection,
    account_id: i64,
    order_id: i64,
    (marketplace, status, cancelled): (&str, &str, bool),
) -> Result<()> {
    let templates = crate::account_options::templates_of(conn, account_id).await?;
    let Some(target) = templates.incoming_target(status, cancelled) else {
        return Ok(());
    };
    let Some((name, code)): Option<(String, Option<String>)> =
        sqlx::query_as("SELECT name, code FROM shop_statuses WHERE id = ?")
            .bind(target)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(());
    };
    let moved = sqlx::query(
        "UPDATE lines SET shop_status_id = ?1 WHERE order_id = ?2 AND state = 'accepted'
           AND shop_status_id IS NOT ?1
           AND (?3 OR removed_by_marketplace = 0)
           AND (?3 OR COALESCE((SELECT grp FROM shop_statuses s WHERE s.id = lines.shop_status_id), 'new')
                      NOT IN ('refused', 'removed'))",
    )
    .bind(target)
    .bind(order_id)
    .bind(cancelled)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if moved == 0 {
        return Ok(());
    }
    crate::shop_order_sync::refresh_from_lines(conn, order_id).await?;
    let event = if cancelled {
        TimelineEvent::BuyerCancelled {
            moved,
            status: name,
            status_code: code,
        }
    } else {
        TimelineEvent::MarketplaceStatus {
            marketplace: marketplace.to_string(),
            marketplace_status: status.to_string(),
            moved,
            status: name,
            status_code: code,
        }
    };
    sync_event(conn, account_id, (Some(order_id), None), &event).await
}
