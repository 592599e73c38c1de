//! Read models for the inbox, order detail and CLI listings.

use ordertray_core::Thing;
use ordertray_core::{
    is_cancelled_status, AccountId, AppError, CustomerView, EventView, InboxLine, InboxPage, InboxQuery,
    InboxSort, LineState, LineView, OrderDetail, OrderView,
};
use rust_decimal::Decimal;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::text_search::{contains_glob, trigram_phrase};
use crate::time::{parse_opt, parse_ts};
use crate::{Result, Store, StoreError};

const INBOX_DEFAULT_LIMIT: u32 = 10_000;

/// What [`line_from`] reads, from `lines` alone.
const LINE_COLUMNS: &str =
    "id AS line_id, external_id AS line_external_id, sku, offer_id, name, quantity, price,
    currency, state, bound_offer, decided_by_rule, shop_status_id";

/// The inbox's columns and joins; callers add the filter and the order.
const INBOX_SELECT: &str =
    "SELECT l.id AS line_id, l.external_id AS line_external_id, l.sku, l.offer_id, l.name,
            l.quantity, l.price, l.currency, l.state, l.bound_offer, l.decided_by_rule, l.shop_status_id,
            o.id AS order_id, o.external_id AS order_external_id, o.number, o.status, o.created_at, o.region,
            o.ship_by, o.account_id, a.name AS account, a.demo
     FROM lines l JOIN orders o ON o.id = l.order_id JOIN accounts a ON a.id = o.account_id";

/// What [`INBOX_SELECT`] reads first for a search whose lines the trigram index found (`?5`, their
/// ids as a JSON array). Distinct: the view's key ranges are read one after the other, and a line
/// its decision moved between two reads would be listed twice.
const SEARCH_FOUND_FIRST: &str =
    "FROM (SELECT DISTINCT value FROM json_each(?5)) f CROSS JOIN lines l ON l.id = f.value";

/// How far above a line's id its view slot sits in the line's key in the search index
/// (`lines_text`'s rowid, migration 0039), and the id's bits below it.
const SLOT_SHIFT: i64 = 40;
const LINE_ID_MASK: i64 = (1 << SLOT_SHIFT) - 1;

/// The search index's slots a view's lines are in (migration 0039's `lines.text_slot`), as ranges
/// of slots (first, last): New 0-1, Processed (every line a rule decided) 1-4, the others their
/// lines decided by a rule and by hand.
fn view_slots(processed: bool, state: LineState) -> Vec<(i64, i64)> {
    if processed {
        return vec![(1, 4)];
    }
    match state {
        LineState::New => vec![(0, 1)],
        LineState::Accepted => vec![(2, 2), (5, 5)],
        LineState::Rejected => vec![(3, 3), (6, 6)],
        LineState::Deleted => vec![(4, 4), (7, 7)],
    }
}

/// What [`Store::lines_found`] read of a range of slots: how many entries, the first and last
/// one's key, and the lines' ids as a JSON array.
struct Found {
    count: i64,
    first: i64,
    last: i64,
    ids: String,
}

impl Found {
    /// About how many entries the range holds, from where its first [`SEARCH_SORTED_BELOW`] end:
    /// the index yields a slot's entries in id order, so their spread over the ids up to `newest`
    /// tells (spread over several slots, its first slot held fewer: counted as read, and read on).
    fn estimate(&self, newest: i64) -> i64 {
        let (from, to) = (self.first & LINE_ID_MASK, self.last & LINE_ID_MASK);
        if self.count < SEARCH_SORTED_BELOW || self.first >> SLOT_SHIFT != self.last >> SLOT_SHIFT {
            return self.count;
        }
        self.count * (newest - from) / (to - from).max(1)
    }
}

/// Several JSON arrays of ids as one.
fn join_ids<'a>(arrays: impl IntoIterator<Item = &'a str>) -> String {
    let ids: Vec<&str> = arrays
        .into_iter()
        .map(|a| a.trim_start_matches('[').trim_end_matches(']'))
        .filter(|ids| !ids.is_empty())
        .collect();
    format!("[{}]", ids.join(","))
}

/// How a search reads the inbox, by how many of the view's lines the trigram index finds (its cost,
/// measured at a million lines, in BENCHMARKS.md): fewer than this, they are looked up and sorted
/// (about 1.7 µs a line)…
const SEARCH_SORTED_BELOW: i64 = if cfg!(test) { 25 } else { 2_500 };
/// …fewer than this, the view's index is walked in its order, each entry checked against their
/// ids (0.15 µs an entry, 200 / share of the view entries for a page); from this many on, the
/// view is walked and each line's text checked (2 µs a line, but no ids to read first, which
/// cost about as much as the walk for a fragment this common; how common is told from the first
/// [`SEARCH_SORTED_BELOW`] matches), within a budget ([`SearchPlan::WalkTextOrIds`]).
const SEARCH_IDS_BELOW: i64 = if cfg!(test) { 300 } else { 30_000 };

/// How an inbox query narrows its view to a text search.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Search {
    /// No search.
    None,
    /// Only the lines the trigram index found (`?5`: their ids as a JSON array), sorted.
    Sorted,
    /// The view's index in its order, each entry checked against the ids `?5`.
    WalkIds,
    /// The view's index in its order, each line's text checked against the GLOB pattern `?5`.
    WalkText,
}

/// How the inbox reads a search, as [`Store::inbox_search`] plans it.
enum SearchPlan {
    /// One read of the view narrowed this way, with `?5` when there is one.
    Read(Search, Option<String>),
    /// A fragment found in too many of the view's lines to read their ids first: the view is
    /// walked with each line's text checked against `glob`, which is quick while the fragment is
    /// common in what the view shows too. Rare there (a word of one account's products with
    /// another account chosen), the walk would read the whole view (0.7 s for the bench's 633,600
    /// accepted lines), so SQLite stops it after [`WALK_TEXT_STEPS`], and the ids of the view's
    /// lines the trigram index finds for `phrase` are read and the view walked against them
    /// (0.6 µs an id, 0.15 µs an entry).
    WalkTextOrIds { glob: String, phrase: String },
    /// A fragment too short for the trigram index: the view walked with each line's text checked
    /// against the GLOB pattern, at most [`WALK_LINES`] lines a read ([`InboxPage::searched_to`]).
    WalkTextInSteps(String),
}

/// How many of a view's lines one read of a short search checks at most: a read takes 12–17 ms
/// (p50) at a million lines, 5,000 took over 20 ms p95 (BENCHMARKS.md, the inbox's short searches).
const WALK_LINES: i64 = if cfg!(test) { 60 } else { 3_000 };

/// How often SQLite asks a budgeted read whether to go on, in virtual machine instructions.
const PROGRESS_STEP: i32 = 1_000;
/// How many [`PROGRESS_STEP`]s a search's walk of a view's text may take before it gives up for
/// the ids: a few times what a page takes from a fragment in a twelfth of the view's lines
/// ("тормозные" in the bench's New view, 10 ms), so only a fragment rare in the view gives up
/// (BENCHMARKS.md, the inbox's worst search).
const WALK_TEXT_STEPS: u32 = if cfg!(test) { 8 } else { 250 };

/// A budget of SQLite work set on one connection (its progress handler): a read past it fails
/// with SQLITE_INTERRUPT ([`interrupted`]).
struct Budget(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Budget {
    async fn arm(conn: &mut sqlx::SqliteConnection, steps: u32) -> Result<Self> {
        let armed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let mut left = steps;
        let flag = armed.clone();
        conn.lock_handle()
            .await?
            .set_progress_handler(PROGRESS_STEP, move || {
                // Disarmed (the read was dropped before `disarm`): the connection is back in the pool
                // and its next reads must go on.
                if !flag.load(std::sync::atomic::Ordering::Relaxed) {
                    return true;
                }
                left = left.saturating_sub(1);
                left > 0
            });
        Ok(Self(armed))
    }

    async fn disarm(self, conn: &mut sqlx::SqliteConnection) -> Result<()> {
        conn.lock_handle().await?.remove_progress_handler();
        Ok(())
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

/// SQLite stopped the statement (SQLITE_INTERRUPT, 9): its [`Budget`] ran out.
fn interrupted(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some("9"))
}

/// The inbox's columns as one JSON array per line, all lines of a read in one JSON array: one
/// row to hand over instead of one per line. sqlx hands each row from its SQLite thread to the
/// caller's task on its own (a wake-up and a copy of every value): 10,000 lines took 126 ms that
/// way, almost none of it in SQLite. SQLite: `json_group_array` keeps the rows' order.
const INBOX_JSON: &str = "json_group_array(json_array(line_id, line_external_id, sku, offer_id, name, quantity, price,
    currency, state, bound_offer, decided_by_rule, shop_status_id, order_id, order_external_id, number, status,
    created_at, region, ship_by, account_id, account, demo))";

/// One line of [`INBOX_JSON`], in its order.
#[derive(serde::Deserialize)]
struct InboxJsonLine(
    i64,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    String,
    i64,
);

/// An inbox query with its arguments bound (see [`Store::inbox`]).
type InboxRead<'q> =
    sqlx::query::QueryScalar<'q, sqlx::Sqlite, Option<String>, sqlx::sqlite::SqliteArguments<'q>>;

/// `sql` (see [`inbox_sql`]) with the query's arguments bound, and the search's `?5`.
fn bind_inbox<'q>(
    sql: InboxRead<'q>,
    query: &InboxQuery,
    after_keys: &Option<String>,
    search: Option<String>,
) -> InboxRead<'q> {
    let q = sql
        .bind(query.state.as_str())
        .bind(query.account_id)
        .bind(query.limit.unwrap_or(INBOX_DEFAULT_LIMIT))
        .bind(after_keys.clone());
    match search {
        Some(search) => q.bind(search),
        None => q,
    }
}

/// The lines of one JSON row read by an inbox query ([`INBOX_JSON`]).
fn inbox_lines_of(json: Option<String>) -> Result<Vec<InboxLine>> {
    let rows: Vec<InboxJsonLine> = serde_json::from_str(json.as_deref().unwrap_or("[]"))?;
    rows.into_iter().map(inbox_line_from_json).collect()
}

fn inbox_line_from_json(r: InboxJsonLine) -> Result<InboxLine> {
    let InboxJsonLine(
        id,
        external_id,
        sku,
        offer_id,
        name,
        quantity,
        price,
        currency,
        state,
        bound_offer,
        decided_by_rule,
        shop_status_id,
        order_id,
        order_external_id,
        order_number,
        status,
        created_at,
        region,
        ship_by,
        account_id,
        account,
        demo,
    ) = r;
    Ok(InboxLine {
        line: LineView {
            id,
            external_id,
            sku,
            offer_id,
            name,
            quantity,
            price: price
                .parse::<Decimal>()
                .map_err(|e| StoreError::Corrupt(format!("price '{price}': {e}")))?,
            currency,
            state: LineState::parse(&state)?,
            bound_offer: bound_offer.as_deref().map(serde_json::from_str).transpose()?,
            decided_by_rule: decided_by_rule.as_deref().map(serde_json::from_str).transpose()?,
            shop_status_id,
        },
        order_id,
        order_external_id,
        order_number,
        marketplace_cancelled: is_cancelled_status(&status),
        order_status: status,
        order_created_at: parse_ts(&created_at)?,
        order_region: region,
        order_ship_by: parse_opt(ship_by)?,
        account_id,
        account,
        demo: demo != 0,
        best_offer: None,
    })
}

fn line_from(r: &SqliteRow) -> Result<LineView> {
    let price: &str = r.get("price");
    Ok(LineView {
        id: r.get("line_id"),
        external_id: r.get("line_external_id"),
        sku: r.get("sku"),
        offer_id: r.get("offer_id"),
        name: r.get("name"),
        quantity: r.get("quantity"),
        price: price
            .parse::<Decimal>()
            .map_err(|e| StoreError::Corrupt(format!("price '{price}': {e}")))?,
        currency: r.get("currency"),
        state: LineState::parse(r.get("state"))?,
        bound_offer: r
            .get::<Option<&str>, _>("bound_offer")
            .map(serde_json::from_str)
            .transpose()?,
        decided_by_rule: r
            .get::<Option<&str>, _>("decided_by_rule")
            .map(serde_json::from_str)
            .transpose()?,
        shop_status_id: r.get("shop_status_id"),
    })
}

pub(crate) fn event_from(e: &SqliteRow) -> Result<EventView> {
    Ok(EventView {
        id: e.get("id"),
        at: parse_ts(e.get("at"))?,
        kind: e.get("kind"),
        actor: e.get("actor"),
        message: e.get("message"),
        line_id: e.get("line_id"),
        args: crate::events::args_of(e),
    })
}

const ORDER_COLUMNS: &str =
    "o.id, o.account_id, a.name AS account, o.external_id, o.number, o.status, o.created_at,
    o.updated_at, o.buyer_name, o.region, o.changed_by_marketplace, o.ship_by, a.demo";

fn order_from(r: &SqliteRow, lines: Vec<LineView>) -> Result<OrderView> {
    Ok(OrderView {
        id: r.get("id"),
        account_id: r.get("account_id"),
        account: r.get("account"),
        external_id: r.get("external_id"),
        number: r.get("number"),
        status: r.get("status"),
        created_at: parse_ts(r.get("created_at"))?,
        updated_at: parse_ts(r.get("updated_at"))?,
        customer_name: r.get("buyer_name"),
        region: r.get("region"),
        changed_by_marketplace: r.get("changed_by_marketplace"),
        ship_by: parse_opt(r.get("ship_by"))?,
        demo: r.get("demo"),
        lines,
    })
}

/// The unread badge: reads only the partial index `lines_unread` (migrations 0027 and 0031, each
/// waiting line with its account), one range per active account; joining every waiting line to
/// its order and account took 0.2 s at 100,000 waiting lines, after every decision, and leaving
/// out the inactive accounts' lines one by one (`NOT IN`) twice what the ranges take (18 against
/// 9 ms at 103,804 waiting lines; a paused account's lines are not read at all).
const UNREAD_SQL: &str = "SELECT COUNT(*) FROM lines l WHERE l.state = 'new' AND l.removed_by_marketplace = 0
    AND l.account_id IN (SELECT id FROM accounts WHERE active = 1)";

/// One of a view's sort keys: its SQL over `lines l`, whether it runs downwards, and whether it
/// is NULL sometimes (compared with `IS` then) or a 0/1 flag (SQLite reads no range of an indexed
/// expression, so a page starts on a flag's other value by equality).
struct SortKey {
    expr: &'static str,
    desc: bool,
    kind: KeyKind,
}

#[derive(PartialEq)]
enum KeyKind {
    Value,
    Nullable,
    Flag,
}

const fn key(expr: &'static str, desc: bool, kind: KeyKind) -> SortKey {
    SortKey { expr, desc, kind }
}

/// How a view is ordered: the index that holds its order and the keys of that order.
struct ViewOrder {
    index: &'static str,
    keys: &'static [SortKey],
}

/// The processed view reads `lines_rule` (the rowid after `state_changed_at`); the others the
/// buyer's cancelled orders first, then the nearest ship-by deadline (`lines_state_ship_by`) or the
/// newest order (`lines_state_inbox`), from the order's facts each line carries (migrations 0015
/// and 0016).
fn view_order(processed: bool, sort: InboxSort) -> ViewOrder {
    use KeyKind::*;
    const PROCESSED: &[SortKey] = &[key("l.state_changed_at", true, Value), key("l.id", true, Value)];
    const SHIP_BY: &[SortKey] = &[
        key("l.order_cancelled", true, Flag),
        key("l.order_ship_by IS NULL", false, Flag),
        key("l.order_ship_by", false, Nullable),
        key("l.order_created_at", true, Value),
        key("l.order_id", true, Value),
        key("l.id", false, Value),
    ];
    const NEWEST: &[SortKey] = &[
        key("l.order_cancelled", true, Flag),
        key("l.order_created_at", true, Value),
        key("l.order_id", true, Value),
        key("l.id", false, Value),
    ];
    match (processed, sort) {
        (true, _) => ViewOrder {
            index: "lines_rule",
            keys: PROCESSED,
        },
        (false, InboxSort::ShipBy) => ViewOrder {
            index: "lines_state_ship_by",
            keys: SHIP_BY,
        },
        (false, InboxSort::Newest) => ViewOrder {
            index: "lines_state_inbox",
            keys: NEWEST,
        },
    }
}

/// A view's keys as `ORDER BY` terms.
fn order_of(keys: &[SortKey]) -> String {
    keys.iter()
        .map(|k| format!("{}{}", k.expr, if k.desc { " DESC" } else { "" }))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which lines over `lines l JOIN orders o` a view holds (`?1` the state, `?2` an account or
/// NULL), narrowed by the search `?5`.
fn view_filter(processed: bool, search: Search) -> String {
    let filter = if processed {
        "l.decided_by_rule IS NOT NULL AND ?1 IS NOT NULL"
    } else {
        "l.state = ?1"
    };
    let mut filter =
        format!("{filter} AND l.removed_by_marketplace = 0 AND (?2 IS NULL OR o.account_id = ?2)");
    match search {
        Search::None | Search::Sorted => {}
        // `+`: the ids are a test of each entry, never the way in (SQLite would sort them all).
        Search::WalkIds => filter.push_str(" AND +l.id IN (SELECT value FROM json_each(?5))"),
        Search::WalkText => filter.push_str(&format!(" AND {TEXT_MATCHES}")),
    }
    filter
}

/// A line's text holds the GLOB pattern `?5`.
const TEXT_MATCHES: &str = "(l.name GLOB ?5 OR l.offer_id GLOB ?5 OR l.sku GLOB ?5 OR o.number GLOB ?5)";

/// The view's lines after the cursor `?4` (their `columns`), at most `?3` of them, as one limited
/// read of the view's index per sort key ([`beyond_cursor`]), the arm sharing the most keys with
/// the cursor first: each arm's lines come before the next one's in the view's order.
fn arms_after(index: &str, keys: &[SortKey], filter: &str, columns: &str) -> Vec<String> {
    beyond_cursor(keys)
        .iter()
        .enumerate()
        .rev()
        .map(|(k, arm)| {
            // INDEXED BY: with no statistics SQLite would read some arms through another index
            // and sort all they find. The keys held equal (a flag's too) are left out of the arm's
            // order: with an indexed expression among them SQLite would sort the arm instead.
            let unequal = if keys[k].kind == KeyKind::Flag { k + 1 } else { k };
            format!(
                "SELECT * FROM (SELECT {columns} FROM lines l INDEXED BY {index} JOIN orders o ON o.id = l.order_id
                 WHERE {filter} AND {arm} ORDER BY {} LIMIT ?3)",
                order_of(&keys[unequal..])
            )
        })
        .collect()
}

/// The inbox's query: `?1` the state, `?2` an account or NULL, `?3` the limit, with `after` `?4`
/// the sort keys of the line the page starts after (a JSON array, see [`cursor_keys_sql`]) and
/// with a search `?5` (see [`Search`]).
/// Every page reads its view's index in the order it shows and stops at the limit, however many
/// lines are in the state and however deep the page: after a line, one limited read per key (the
/// lines sharing the first k keys with it and beyond it in the next), at most keys × limit lines.
/// The views' keys run both ways, so one row-value comparison cannot start an index read there.
fn inbox_sql(processed: bool, sort: InboxSort, after: bool, search: Search) -> String {
    let ViewOrder { index, keys } = view_order(processed, sort);
    let order = order_of(keys);
    let mut filter = view_filter(processed, search);
    if search == Search::Sorted {
        // A few thousand lines at most: the cursor's conditions are checked on each, then sorted.
        if after {
            let any = beyond_cursor(keys)
                .iter()
                .map(|arm| format!("({arm})"))
                .collect::<Vec<_>>()
                .join(" OR ");
            filter.push_str(&format!(" AND ({any})"));
        }
        let select = INBOX_SELECT.replacen("FROM lines l", SEARCH_FOUND_FIRST, 1);
        return format!("{select} WHERE {filter} ORDER BY {order} LIMIT ?3");
    }
    if !after {
        return format!("{INBOX_SELECT} WHERE {filter} ORDER BY {order} LIMIT ?3");
    }
    let arms = arms_after(index, keys, &filter, "l.id").join(" UNION ALL ");
    format!("{INBOX_SELECT} WHERE l.id IN ({arms}) ORDER BY {order} LIMIT ?3")
}

/// The fewest lines a step of a walk checks: each costs a statement and a cursor's read.
const MIN_WALK_STEP: i64 = 50;

/// What one step of a walk read ([`walk_step_sql`]).
#[derive(serde::Deserialize)]
struct WalkStep {
    lines: Vec<InboxJsonLine>,
    checked: i64,
    last: Option<i64>,
}

/// One step of a walk of a view's text: its next `?3` lines after the cursor `?4`, each checked
/// against the GLOB pattern `?5`; what it reads is the first `?6` of them that match, how many
/// lines it checked, and the last of them ([`WalkStep`]). The walk gathers the ids of the lines
/// that match, in the view's order and without a sort (after a cursor, the arms one after the
/// other: a page's read takes keys × limit lines and sorts them, 30,000 for a step of 5,000);
/// only the first `?6` of them are read whole, in the order gathered.
fn walk_step_sql(processed: bool, sort: InboxSort, after: bool) -> String {
    let ViewOrder { index, keys } = view_order(processed, sort);
    let filter = view_filter(processed, Search::None);
    let columns = format!("l.id, {TEXT_MATCHES} AS hit");
    let walk = if after {
        format!(
            "{} LIMIT ?3",
            arms_after(index, keys, &filter, &columns).join(" UNION ALL ")
        )
    } else {
        format!(
            "SELECT {columns} FROM lines l INDEXED BY {index} JOIN orders o ON o.id = l.order_id
             WHERE {filter} ORDER BY {} LIMIT ?3",
            order_of(keys)
        )
    };
    // SQLite: json_each's `key` is the place in the array; CROSS JOIN looks each id up in turn.
    let found = INBOX_SELECT.replacen(
        "FROM lines l",
        "FROM json_each(w.found) j CROSS JOIN lines l ON l.id = j.value",
        1,
    );
    // MATERIALIZED: written as a plain subquery, SQLite ran the walk once for each use of its
    // columns (a whole Accepted view walked in 2.0 s instead of 1.5 s, in an earlier shape).
    format!(
        "WITH w AS MATERIALIZED (SELECT json_group_array(id) FILTER (WHERE hit) AS found, COUNT(*) AS checked,
                                        json_group_array(id) AS walked FROM ({walk}))
         SELECT json_object('lines', (SELECT {INBOX_JSON} FROM ({found} WHERE j.key < ?6 ORDER BY j.key)),
                            'checked', w.checked, 'last', json_extract(w.walked, '$[#-1]'))
         FROM w"
    )
}

/// The lines after the cursor `?4` in a view's order, as one condition per sort key k: the lines
/// sharing the first k keys with the cursor and beyond it in key k.
fn beyond_cursor(keys: &[SortKey]) -> Vec<String> {
    (0..keys.len())
        .map(|k| {
            let mut arm = Vec::new();
            for (j, same) in keys[..k].iter().enumerate() {
                let eq = if same.kind == KeyKind::Nullable { "IS" } else { "=" };
                arm.push(format!("{} {eq} json_extract(?4, '$[{j}]')", same.expr));
            }
            let beyond = &keys[k];
            let at = format!("json_extract(?4, '$[{k}]')");
            arm.push(match (&beyond.kind, beyond.desc) {
                (KeyKind::Flag, false) => format!("{} = 1 AND {at} = 0", beyond.expr),
                (KeyKind::Flag, true) => format!("{} = 0 AND {at} = 1", beyond.expr),
                (_, false) => format!("{} > {at}", beyond.expr),
                (_, true) => format!("{} < {at}", beyond.expr),
            });
            arm.join(" AND ")
        })
        .collect()
}

/// The sort keys of line `?1` for a view, as the JSON array [`inbox_sql`] reads as `?4`.
fn cursor_keys_sql(processed: bool, sort: InboxSort) -> String {
    let keys = view_order(processed, sort)
        .keys
        .iter()
        .map(|k| k.expr)
        .collect::<Vec<_>>()
        .join(", ");
    format!("SELECT json_array({keys}) FROM lines l WHERE l.id = ?1")
}

impl Store {
    /// Lines in one triage state (the inbox is `new`), in the query's order of orders: orders the
    /// buyer cancelled first (they must not be shipped), then the nearest ship-by deadline (orders
    /// without one after those with one) or the newest order; an order's lines stay together.
    /// With `after`, the page after that line (which may have changed state since, but not one
    /// the marketplace or the retention removed: that is an error, the view should start over).
    /// The whole page, however many reads a short search takes to fill it (see [`Store::inbox_page`]).
    pub async fn inbox(&self, query: &InboxQuery) -> Result<Vec<InboxLine>> {
        let limit = query.limit.unwrap_or(INBOX_DEFAULT_LIMIT);
        let mut query = InboxQuery {
            limit: Some(limit),
            ..query.clone()
        };
        let mut lines = Vec::new();
        loop {
            let page = self.inbox_page(&query).await?;
            lines.extend(page.lines);
            let left = limit.saturating_sub(u32::try_from(lines.len()).unwrap_or(u32::MAX));
            match page.searched_to {
                Some(line) if left > 0 => {
                    query.after = Some(line);
                    query.limit = Some(left);
                }
                _ => return Ok(lines),
            }
        }
    }

    /// One read of [`Store::inbox`]: a search of one or two characters (which no index can
    /// answer) checks at most [`WALK_LINES`] of the view's lines, and says where it stopped when
    /// that left its page short.
    pub async fn inbox_page(&self, query: &InboxQuery) -> Result<InboxPage> {
        let after_keys = match query.after {
            None => None,
            Some(line) => Some(self.cursor_keys(query, line).await?),
        };
        let sql = |search| {
            format!(
                "SELECT {INBOX_JSON} FROM ({})",
                inbox_sql(query.processed, query.sort, after_keys.is_some(), search)
            )
        };
        let slots = view_slots(query.processed, query.state);
        let plan = self.inbox_search(query.search.as_deref(), &slots).await?;
        #[cfg(test)]
        tests::LAST_PLAN.with(|p| {
            p.set(match &plan {
                SearchPlan::Read(search, _) => Some(*search),
                SearchPlan::WalkTextInSteps(_) => Some(Search::WalkText),
                SearchPlan::WalkTextOrIds { .. } => None,
            })
        });
        let json = match plan {
            SearchPlan::WalkTextInSteps(glob) => {
                return self.walk_text_in_steps(query, after_keys, &glob).await
            }
            SearchPlan::Read(search, pattern) => {
                bind_inbox(sqlx::query_scalar(&sql(search)), query, &after_keys, pattern)
                    .fetch_one(&self.pool)
                    .await?
            }
            SearchPlan::WalkTextOrIds { glob, phrase } => {
                let walk = sql(Search::WalkText);
                let mut conn = self.pool.acquire().await?;
                let budget = Budget::arm(&mut conn, WALK_TEXT_STEPS).await?;
                let walked = bind_inbox(sqlx::query_scalar(&walk), query, &after_keys, Some(glob))
                    .fetch_one(&mut *conn)
                    .await;
                budget.disarm(&mut conn).await?;
                drop(conn);
                match walked {
                    Err(e) if interrupted(&e) => {
                        #[cfg(test)]
                        tests::WALKS_GIVEN_UP.with(|n| n.set(n.get() + 1));
                        let mut found = Vec::with_capacity(slots.len());
                        for &range in &slots {
                            found.push(self.lines_found(&phrase, range, -1, i64::MAX).await?);
                        }
                        let ids = join_ids(found.iter().map(|f| f.ids.as_str()));
                        bind_inbox(
                            sqlx::query_scalar(&sql(Search::WalkIds)),
                            query,
                            &after_keys,
                            Some(ids),
                        )
                        .fetch_one(&self.pool)
                        .await?
                    }
                    walked => walked?,
                }
            }
        };
        Ok(InboxPage {
            lines: inbox_lines_of(json)?,
            searched_to: None,
            lines_checked: 0,
        })
    }

    /// The view's lines after `after_keys` checked against `glob` one by one, in steps of about as
    /// many lines as the page still needs at the rate matches came so far (a step reads all of its
    /// lines, so one far too long costs as much as the walk would have gone on), up to
    /// [`WALK_LINES`] lines checked in all.
    async fn walk_text_in_steps(
        &self,
        query: &InboxQuery,
        mut after_keys: Option<String>,
        glob: &str,
    ) -> Result<InboxPage> {
        let limit = i64::from(query.limit.unwrap_or(INBOX_DEFAULT_LIMIT));
        let mut lines = Vec::new();
        let mut checked = 0;
        let mut step = (limit * 2).clamp(1, WALK_LINES);
        loop {
            let sql = walk_step_sql(query.processed, query.sort, after_keys.is_some());
            let step_query = InboxQuery {
                limit: Some(u32::try_from(step).unwrap_or(u32::MAX)),
                ..query.clone()
            };
            let left = limit - i64::try_from(lines.len()).unwrap_or(i64::MAX);
            let json = bind_inbox(
                sqlx::query_scalar(&sql),
                &step_query,
                &after_keys,
                Some(glob.to_string()),
            )
            .bind(left)
            .fetch_one(&self.pool)
            .await?;
            let WalkStep {
                lines: found,
                checked: walked,
                last,
            } = serde_json::from_str(json.as_deref().unwrap_or_default())?;
            for line in found {
                lines.push(inbox_line_from_json(line)?);
            }
            checked += walked;
            let found = i64::try_from(lines.len()).unwrap_or(i64::MAX);
            let full = found >= limit;
            // A step that checked fewer lines than it asked for reached the view's end.
            let searched_to = match last {
                Some(last) if !full && walked == step && checked < WALK_LINES => {
                    after_keys = Some(self.cursor_keys(query, last).await?);
                    step = match found {
                        0 => step * 4,
                        // A quarter more than the rate so far says: one step more is rare.
                        found => ((limit - found) * checked / found * 5 / 4).max(MIN_WALK_STEP),
                    }
                    .min(WALK_LINES - checked);
                    continue;
                }
                Some(last) if !full && walked == step => Some(last),
                _ => None,
            };
            return Ok(InboxPage {
                lines,
                searched_to,
                lines_checked: u32::try_from(checked).unwrap_or(u32::MAX),
            });
        }
    }

    /// The view's sort keys of `line`, where a page after it starts ([`cursor_keys_sql`]).
    async fn cursor_keys(&self, query: &InboxQuery, line: i64) -> Result<String> {
        Ok(sqlx::query_scalar(&cursor_keys_sql(query.processed, query.sort))
            .bind(line)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| AppError::missing(Thing::Line, line))?)
    }

    /// How the inbox reads a search ([`SEARCH_SORTED_BELOW`]), and what it binds as `?5`: the ids
    /// of the view's lines the trigram index finds for a fragment (reading stops at
    /// [`SEARCH_IDS_BELOW`]), or a GLOB pattern for a commoner or shorter one.
    async fn inbox_search(&self, search: Option<&str>, slots: &[(i64, i64)]) -> Result<SearchPlan> {
        let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(SearchPlan::Read(Search::None, None));
        };
        let glob = contains_glob(search);
        let Some(phrase) = trigram_phrase(search) else {
            return Ok(SearchPlan::WalkTextInSteps(glob));
        };
        // Each of the view's ranges of slots is read on its own: its first matches tell how many
        // it holds.
        let mut found = Vec::with_capacity(slots.len());
        for &range in slots {
            found.push(self.lines_found(&phrase, range, -1, SEARCH_SORTED_BELOW).await?);
        }
        let count: i64 = found.iter().map(|f| f.count).sum();
        if count < SEARCH_SORTED_BELOW {
            return Ok(SearchPlan::Read(
                Search::Sorted,
                Some(join_ids(found.iter().map(|f| f.ids.as_str()))),
            ));
        }
        let newest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM lines")
            .fetch_one(&self.pool)
            .await?;
        let estimate: i64 = found.iter().map(|f| f.estimate(newest)).sum();
        if estimate < SEARCH_IDS_BELOW {
            let mut left = SEARCH_IDS_BELOW - count;
            for (&range, f) in slots.iter().zip(found.iter_mut()) {
                // A range that gave fewer than asked was read to its end.
                if f.count < SEARCH_SORTED_BELOW || left == 0 {
                    continue;
                }
                let rest = self.lines_found(&phrase, range, f.last, left).await?;
                left -= rest.count;
                f.ids = join_ids([f.ids.as_str(), rest.ids.as_str()]);
            }
            if left > 0 {
                return Ok(SearchPlan::Read(
                    Search::WalkIds,
                    Some(join_ids(found.iter().map(|f| f.ids.as_str()))),
                ));
            }
        }
        Ok(SearchPlan::WalkTextOrIds { glob, phrase })
    }

    /// The first `limit` entries of the slots `range` (first, last) after key `after` the trigram
    /// index finds for `phrase`, in key order (slot by slot, each in id order).
    async fn lines_found(&self, phrase: &str, range: (i64, i64), after: i64, limit: i64) -> Result<Found> {
        // SQLite: FTS5 trigram search (`lines_text MATCH`; a rowid range seeks in its lists).
        let (count, first, last, ids) = sqlx::query_as(&format!(
            "SELECT COUNT(*), COALESCE(MIN(rowid), 0), COALESCE(MAX(rowid), 0),
                    json_group_array(rowid & {LINE_ID_MASK})
             FROM (SELECT rowid FROM lines_text WHERE lines_text MATCH ?1 AND rowid > ?2 AND rowid < ?3
                   LIMIT ?4)"
        ))
        .bind(phrase)
        .bind(after.max((range.0 << SLOT_SHIFT) - 1))
        .bind((range.1 + 1) << SLOT_SHIFT)
        .bind(limit)
        .fetch_one(&self.pool)
        .await?;
        #[cfg(test)]
        tests::IDS_READ.with(|n| n.set(n.get() + count));
        Ok(Found {
            count,
            first,
            last,
            ids,
        })
    }

    /// Every line waiting for a decision, of one account or all, and of the given orders only
    /// when `orders` is set: what the rules look at, with no cap however long the backlog.
    pub async fn undecided_lines(
        &self,
        account: Option<AccountId>,
        orders: Option<&[i64]>,
    ) -> Result<Vec<InboxLine>> {
        let orders = orders.map(|ids| serde_json::Value::from(ids.to_vec()).to_string());
        let sql = format!(
            "SELECT {INBOX_JSON} FROM ({INBOX_SELECT} WHERE l.state = 'new' AND l.removed_by_marketplace = 0
                AND (?1 IS NULL OR o.account_id = ?1)
                AND (?2 IS NULL OR o.id IN (SELECT value FROM json_each(?2)))
             ORDER BY o.created_at DESC, o.id DESC, l.id)"
        );
        let json = sqlx::query_scalar(&sql)
            .bind(account)
            .bind(orders)
            .fetch_one(&self.pool)
            .await?;
        inbox_lines_of(json)
    }

    /// Lines waiting for a decision in active accounts: the unread badge.
    pub async fn unread_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(UNREAD_SQL).fetch_one(&self.pool).await?)
    }

    /// Orders with their lines; with `state`, only orders having at least one line in that state.
    pub async fn orders(
        &self,
        account_id: Option<AccountId>,
        state: Option<LineState>,
    ) -> Result<Vec<OrderView>> {
        let orders = sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders o JOIN accounts a ON a.id = o.account_id
             WHERE (?1 IS NULL OR o.account_id = ?1)
               AND (?2 IS NULL OR EXISTS (SELECT 1 FROM lines l WHERE l.order_id = o.id AND l.state = ?2))
             ORDER BY o.created_at DESC, o.id DESC"
        ))
        .bind(account_id)
        .bind(state.map(LineState::as_str))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(orders.len());
        for o in &orders {
            let lines = self.order_lines(o.get("id")).await?;
            out.push(order_from(o, lines)?);
        }
        Ok(out)
    }

    /// One line still in its marketplace order, whatever its state.
    pub async fn line(&self, line_id: i64) -> Result<Option<LineView>> {
        sqlx::query(&format!(
            "SELECT {LINE_COLUMNS} FROM lines WHERE id = ? AND removed_by_marketplace = 0"
        ))
        .bind(line_id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(line_from)
        .transpose()
    }

    async fn order_lines(&self, order_id: i64) -> Result<Vec<LineView>> {
        sqlx::query(&format!(
            "SELECT {LINE_COLUMNS} FROM lines WHERE order_id = ? ORDER BY id"
        ))
        .bind(order_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(line_from)
        .collect()
    }

    pub async fn order_detail(&self, order_id: i64) -> Result<OrderDetail> {
        let o = sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS}, o.customer_id, o.available_actions FROM orders o
             JOIN accounts a ON a.id = o.account_id WHERE o.id = ?"
        ))
        .bind(order_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| AppError::missing(Thing::Order, order_id))?;
        let customer = match o.get::<Option<i64>, _>("customer_id") {
            Some(id) => {
                sqlx::query(
                    "SELECT id, name, first_name, last_name, phone, email, address, region FROM customers WHERE id = ?",
                )
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|c| CustomerView {
                        id: c.get("id"),
                        name: c.get("name"),
                        first_name: c.get("first_name"),
                        last_name: c.get("last_name"),
                        phone: c.get("phone"),
                        email: c.get("email"),
                        address: c.get("address"),
                        region: c.get("region"),
                    })
            }
            None => None,
        };
        let events = sqlx::query(
            "SELECT id, at, kind, actor, message, line_id, data FROM events WHERE order_id = ? ORDER BY id",
        )
        .bind(order_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(event_from)
        .collect::<Result<Vec<_>>>()?;
        let available_actions: Vec<String> = serde_json::from_str(o.get("available_actions"))?;
        let lines = self.order_lines(order_id).await?;
        Ok(OrderDetail {
            order: order_from(&o, lines)?,
            customer,
            available_actions,
            events,
            outbox: self.outbox_list(None, Some(order_id)).await?,
        })
    }

    /// Events not tied to an order (sync failures, quarantined payloads, account changes).
    pub async fn account_events(&self, account_id: AccountId, limit: u32) -> Result<Vec<EventView>> {
        sqlx::query(
            "SELECT id, at, kind, actor, message, line_id, data FROM events WHERE account_id = ? AND order_id IS NULL
             ORDER BY id DESC LIMIT ?",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(event_from)
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Searches whose walk of the view's text ran out of its budget (on this test's thread).
        pub(super) static WALKS_GIVEN_UP: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
        /// How the last search was read: `None` for a walk of the text within a budget.
        pub(super) static LAST_PLAN: std::cell::Cell<Option<Search>> = const { std::cell::Cell::new(None) };
        /// Search-index entries read (on this test's thread).
        pub(super) static IDS_READ: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
    }

    /// Seeds the store with one line an order, each order a minute older than the one before (the
    /// first lead the New view): order `i` (from 1) of account A where the SQL `account` holds (B
    /// otherwise), its line in `state`, named "Суппорт тормозной" where `calliper` holds,
    /// "Фильтр масляный" otherwise.
    async fn seed_lines(store: &Store, orders: i64, account: &str, state: &str, calliper: &str) {
        for sql in [
            r#"INSERT INTO accounts (id, kind, name, interval_secs, settings, created_at)
               VALUES (1, 'test', 'A', 60, '{"kind": "test"}', '2026-03-02T09:00:00.000000Z'),
                      (2, 'test', 'B', 60, '{"kind": "test"}', '2026-03-02T09:00:00.000000Z')"#
                .to_string(),
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {orders}),
                      t(i, at) AS (SELECT i, strftime('%Y-%m-%dT%H:%M:%S.000000Z', '2026-03-02 09:00:00',
                          '-' || (i - 1) || ' minutes') FROM n)
                 INSERT INTO orders (id, account_id, external_id, number, status, created_at, first_seen_at,
                    updated_at, content_hash, raw)
                 SELECT i, CASE WHEN {account} THEN 1 ELSE 2 END, printf('W%05d', i - 1), printf('W%05d', i - 1),
                    'awaiting_packaging', at, at, at, 'seeded', '{{}}' FROM t"
            ),
            format!(
                "INSERT INTO lines (order_id, external_id, sku, offer_id, name, quantity, price, currency, state)
                 SELECT i, number || '-1', 'S' || (i - 1), 'OF' || (i - 1),
                    CASE WHEN {calliper} THEN 'Суппорт тормозной ' ELSE 'Фильтр масляный ' END || (i - 1),
                    1, '100', 'RUB', {state}
                 FROM (SELECT id AS i, number FROM orders) ORDER BY i"
            ),
        ] {
            sqlx::query(&sql).execute(store.pool()).await.unwrap();
        }
    }

    /// The ids of the lines the store reads for `query`, in its order.
    async fn read_ids(store: &Store, query: &InboxQuery) -> Vec<i64> {
        store
            .inbox(query)
            .await
            .unwrap()
            .iter()
            .map(|l| l.line.id)
            .collect()
    }

    fn calliper_ids(lines: &[InboxLine]) -> Vec<i64> {
        lines
            .iter()
            .filter(|l| l.line.name.starts_with("Суппорт"))
            .map(|l| l.line.id)
            .collect()
    }

    /// A view reads only its own lines' entries of the search index: a fragment in hundreds of
    /// rejected lines but two new ones is read as two entries for the New view, their lines
    /// looked up and sorted (at a million lines the one index read every entry and walked the
    /// view against them: 66-118 ms).
    #[tokio::test]
    async fn a_search_reads_only_the_index_entries_of_its_view() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("views.db")).await.unwrap();
        // 400 rejected callipers, 1,500 new filters, two new callipers deep in the New view.
        let calliper = "i <= 400 OR i IN (1101, 1902)";
        let state = "CASE WHEN i <= 400 THEN 'rejected' ELSE 'new' END";
        seed_lines(&store, 1902, "1", state, calliper).await;
        for sort in [InboxSort::ShipBy, InboxSort::Newest] {
            let new = InboxQuery {
                sort,
                ..InboxQuery::default()
            };
            let expected = calliper_ids(&store.inbox(&new).await.unwrap());
            assert_eq!(expected.len(), 2);
            IDS_READ.with(|n| n.set(0));
            let search = InboxQuery {
                search: Some("суппорт".into()),
                ..new
            };
            assert_eq!(read_ids(&store, &search).await, expected, "{sort:?}");
            assert_eq!(IDS_READ.with(|n| n.get()), 2, "the New view's entries only");

            let rejected = InboxQuery {
                state: LineState::Rejected,
                sort,
                ..InboxQuery::default()
            };
            let expected = calliper_ids(&store.inbox(&rejected).await.unwrap());
            assert_eq!(expected.len(), 400);
            let search = InboxQuery {
                search: Some("суппорт".into()),
                ..rejected
            };
            assert_eq!(read_ids(&store, &search).await, expected, "{sort:?}");
        }
        store.close().await;
    }

    /// A view of two ranges of slots (Accepted: by a rule, by hand) reads a fragment's ids from
    /// both, whichever way it reads them: looked up and sorted, or walked against, or the text
    /// checked; the same lines in the same order as the view filtered, page after page.
    #[tokio::test]
    async fn a_search_reads_both_ranges_of_a_view_in_each_way() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("ranges.db")).await.unwrap();
        // Accepted: every third line a calliper, every other one decided by a rule.
        seed_lines(&store, 1200, "1", "'accepted'", "i % 3 = 0").await;
        sqlx::query(
            r#"UPDATE lines SET decided_by_rule = '{"type": "accept", "rule_id": 1, "rule_name": "R", "offer_id": 1}'
               WHERE id % 2 = 0"#,
        )
        .execute(store.pool())
        .await
        .unwrap();
        let view = InboxQuery {
            state: LineState::Accepted,
            ..InboxQuery::default()
        };
        let whole = store.inbox(&view).await.unwrap();
        for (fragment, reads) in [
            ("тормозной 21", Some(Search::Sorted)),
            ("тормозной 2", Some(Search::WalkIds)),
            ("суппорт", None),
        ] {
            let expected: Vec<i64> = whole
                .iter()
                .filter(|l| l.line.name.to_lowercase().contains(&fragment.to_lowercase()))
                .map(|l| l.line.id)
                .collect();
            let rule = expected.iter().filter(|id| *id % 2 == 0).count();
            assert!(
                rule > 0 && rule < expected.len(),
                "{fragment}: lines in both ranges"
            );
            let mut pages = Vec::new();
            let mut after = None;
            loop {
                let page = store
                    .inbox(&InboxQuery {
                        search: Some(fragment.into()),
                        limit: Some(40),
                        after,
                        ..view.clone()
                    })
                    .await
                    .unwrap();
                pages.extend(page.iter().map(|l| l.line.id));
                match page.last() {
                    Some(last) if page.len() == 40 => after = Some(last.line.id),
                    _ => break,
                }
            }
            assert_eq!(pages, expected, "{fragment} ({reads:?})");
            assert_eq!(LAST_PLAN.with(|p| p.get()), reads, "{fragment}");
        }
        store.close().await;
    }

    /// A fragment in many of the view's lines but few of the chosen account's: the walk of the
    /// view's text (which would read the whole view) stops at its budget and the view is walked
    /// against the fragment's ids instead, with the same lines in the same order, page after
    /// page; where the fragment is common the walk fills its page within the budget.
    #[tokio::test]
    async fn a_fragment_common_elsewhere_but_rare_in_the_view_is_read_through_its_ids() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("walk.db")).await.unwrap();
        // All new: 400 callipers of account B, 1,500 filters of account A, two callipers of A
        // deep in its view.
        let calliper = "i <= 400 OR i IN (1101, 1902)";
        seed_lines(&store, 1902, "i > 400", "'new'", calliper).await;
        for sort in [InboxSort::ShipBy, InboxSort::Newest] {
            let new = InboxQuery {
                sort,
                account_id: Some(1),
                ..InboxQuery::default()
            };
            let expected = calliper_ids(&store.inbox(&new).await.unwrap());
            assert_eq!(expected.len(), 2);
            let search = InboxQuery {
                search: Some("суппорт".into()),
                limit: Some(1),
                ..new
            };
            WALKS_GIVEN_UP.with(|n| n.set(0));
            let first = store.inbox(&search).await.unwrap();
            let second = store
                .inbox(&InboxQuery {
                    after: first.last().map(|l| l.line.id),
                    ..search.clone()
                })
                .await
                .unwrap();
            let pages: Vec<i64> = first.iter().chain(&second).map(|l| l.line.id).collect();
            assert_eq!(pages, expected, "{sort:?}");
            assert_eq!(
                WALKS_GIVEN_UP.with(|n| n.get()),
                2,
                "both pages read through the ids"
            );

            let view = InboxQuery {
                account_id: Some(2),
                sort,
                ..InboxQuery::default()
            };
            let expected: Vec<i64> = calliper_ids(&store.inbox(&view).await.unwrap())[..50].to_vec();
            let search = InboxQuery {
                search: Some("суппорт".into()),
                limit: Some(50),
                ..view
            };
            assert_eq!(read_ids(&store, &search).await, expected, "{sort:?}");
            assert_eq!(
                WALKS_GIVEN_UP.with(|n| n.get()),
                2,
                "common in the view: walked within budget"
            );
        }
        // The budget goes with the read: the same connections read a whole view afterwards.
        for _ in 0..4 {
            assert_eq!(store.inbox(&InboxQuery::default()).await.unwrap().len(), 1_902);
        }
        store.close().await;
    }

    /// A fragment of one or two characters (no trigram to look up) rare in a large view: each read
    /// checks at most [`WALK_LINES`] lines and says where it stopped, so no read walks the whole
    /// view; read on from there, page after page, the view gives the lines it holds with the
    /// fragment in either case, in its order. A common one fills its page in the first step.
    #[tokio::test]
    async fn a_short_search_checks_a_bounded_number_of_lines_a_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("short.db")).await.unwrap();
        // Accepted, every other line by a rule (two ranges of slots, and the Processed view):
        // five callipers, three deep down. Some orders cancelled, some with a ship-by (several
        // sharing one): every arm of a read after a cursor has lines to give.
        seed_lines(&store, 1000, "1", "'accepted'", "i IN (3, 437, 438, 901, 902)").await;
        sqlx::query(
            r#"UPDATE lines SET decided_by_rule = CASE WHEN id % 2 = 0
                   THEN '{"type": "accept", "rule_id": 1, "rule_name": "R", "offer_id": 1}' END,
                 order_cancelled = id % 7 = 0,
                 order_ship_by = CASE WHEN id % 3 = 0 THEN printf('2026-03-0%dT10:00:00.000000Z', id % 5 + 1) END,
                 state_changed_at = printf('2026-03-02T09:%02d:00.000000Z', (id / 20) % 60)"#,
        )
        .execute(store.pool())
        .await
        .unwrap();
        for (processed, sort) in [
            (false, InboxSort::ShipBy),
            (false, InboxSort::Newest),
            (true, InboxSort::ShipBy),
        ] {
            let view = InboxQuery {
                state: LineState::Accepted,
                processed,
                sort,
                ..InboxQuery::default()
            };
            let what = format!("processed {processed} {sort:?}");
            let all = store.inbox(&view).await.unwrap();
            let expected = calliper_ids(&all);
            assert!(expected.len() >= 2, "{what}");
            // As the screen reads: after where a read stopped, or after a full page's last line.
            for limit in [1, 2] {
                let search = InboxQuery {
                    search: Some("сУ".into()),
                    limit: Some(limit),
                    ..view.clone()
                };
                let (mut found, mut reads, mut after) = (Vec::new(), 0, None);
                loop {
                    let page = store
                        .inbox_page(&InboxQuery {
                            after,
                            ..search.clone()
                        })
                        .await
                        .unwrap();
                    reads += 1;
                    assert!(i64::from(page.lines_checked) <= WALK_LINES, "{what}");
                    found.extend(page.lines.iter().map(|l| l.line.id));
                    after = match (page.searched_to, page.lines.last()) {
                        (Some(line), _) => Some(line),
                        (None, Some(last)) if page.lines.len() == limit as usize => Some(last.line.id),
                        _ => break,
                    };
                }
                assert_eq!(found, expected, "{what}, pages of {limit}");
                let least = i64::try_from(all.len()).unwrap() / WALK_LINES;
                assert!(reads >= least, "{what}: {reads} reads");
            }
            // A page read on where each read stopped until it is full: from a partly filled read
            // on, a step sized from the rate so far.
            let three: Vec<i64> = store
                .inbox(&InboxQuery {
                    search: Some("сУ".into()),
                    limit: Some(3),
                    ..view.clone()
                })
                .await
                .unwrap()
                .iter()
                .map(|l| l.line.id)
                .collect();
            assert_eq!(three, expected[..3.min(expected.len())], "{what}");

            let common = store
                .inbox_page(&InboxQuery {
                    search: Some("ЛЬ".into()),
                    limit: Some(10),
                    ..view
                })
                .await
                .unwrap();
            assert_eq!(common.lines.len(), 10, "{what}");
            assert_eq!(common.searched_to, None, "{what}");
            assert!(
                common.lines_checked <= 20,
                "{what}: the first step, two pages' worth"
            );
        }
        store.close().await;
    }

    /// Every inbox view, in either sort, reads its lines in the order it shows them through one
    /// index and stops at its limit: no sort of every line in the state (at a million accepted
    /// lines the Accepted view read and sorted them all). A later page reads the same index once
    /// per sort key, each read starting where the page starts; only the page's few hundred lines
    /// are sorted. So does a search checked line by line; a rare fragment's lines are read from
    /// the trigram index and only they are sorted. A short search's walk sorts none of the lines it
    /// walks.
    #[tokio::test]
    async fn inbox_pages_read_an_index_in_their_order_without_sorting() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).await.unwrap();
        for (state, processed) in [
            (LineState::New, false),
            (LineState::Accepted, false),
            (LineState::Rejected, false),
            (LineState::Deleted, false),
            (LineState::New, true),
        ] {
            for sort in [InboxSort::ShipBy, InboxSort::Newest] {
                for account in [None, Some(1)] {
                    for after in [false, true] {
                        for search in [Search::None, Search::WalkText, Search::WalkIds, Search::Sorted] {
                            let sql =
                                format!("EXPLAIN QUERY PLAN {}", inbox_sql(processed, sort, after, search));
                            let mut q = sqlx::query(&sql).bind(state.as_str()).bind(account).bind(100);
                            let keys = after.then_some(r#"[0, 0, "2026-01-01", "2026-01-01", 5, 7]"#);
                            q = match search {
                                Search::None => q.bind(keys),
                                Search::WalkText => q.bind(keys).bind("*[aA]bc*"),
                                Search::WalkIds | Search::Sorted => q.bind(keys).bind("[1, 2, 3]"),
                            };
                            let plan = crate::query_plan(q, store.pool()).await;
                            let ViewOrder { index, keys } = view_order(processed, sort);
                            let what =
                                format!("{state:?} {sort:?} {account:?} after {after} {search:?}: {plan:#?}");
                            let reads = plan.iter().filter(|p| p.split(' ').any(|w| w == index)).count();
                            let sorts = plan.iter().filter(|p| p.contains("TEMP B-TREE")).count();
                            let scans = plan.iter().filter(|p| p.as_str() == "SCAN l").count();
                            if search == Search::Sorted {
                                // The found ids each once, each line looked up by its id; then they
                                // are sorted.
                                assert!(plan[1].starts_with("SCAN json_each VIRTUAL TABLE"), "{what}");
                                assert_eq!(plan[2], "USE TEMP B-TREE FOR DISTINCT", "{what}");
                                assert!(plan[4].contains("SEARCH l USING INTEGER PRIMARY KEY"), "{what}");
                                assert_eq!(sorts, 2, "{what}");
                            } else if after {
                                assert_eq!(reads, keys.len(), "{what}");
                                assert_eq!(sorts, 1, "only the page is sorted: {what}");
                            } else {
                                assert!(
                                    plan.first().is_some_and(|p| p.split(' ').any(|w| w == index)),
                                    "{what}"
                                );
                                assert_eq!(sorts, 0, "{what}");
                            }
                            assert_eq!(scans, 0, "{what}");
                        }
                        // A step of a short search's walk reads the same way and sorts nothing at all.
                        let sql = format!("EXPLAIN QUERY PLAN {}", walk_step_sql(processed, sort, after));
                        let cursor = after.then_some(r#"[0, 0, "2026-01-01", "2026-01-01", 5, 7]"#);
                        let q = sqlx::query(&sql)
                            .bind(state.as_str())
                            .bind(account)
                            .bind(100)
                            .bind(cursor)
                            .bind("*[aA]b*")
                            .bind(10);
                        let plan = crate::query_plan(q, store.pool()).await;
                        let ViewOrder { index, keys } = view_order(processed, sort);
                        let what =
                            format!("{state:?} {sort:?} {account:?} after {after} walk step: {plan:#?}");
                        let reads = plan.iter().filter(|p| p.split(' ').any(|w| w == index)).count();
                        assert_eq!(reads, if after { keys.len() } else { 1 }, "{what}");
                        // Only the found lines the page takes are put in the walk's order again.
                        let found_at = plan.iter().position(|p| p.starts_with("SCAN j VIRTUAL TABLE"));
                        let sorts: Vec<usize> = (0..plan.len())
                            .filter(|&i| plan[i].contains("TEMP B-TREE"))
                            .collect();
                        assert!(
                            sorts.len() <= 1 && sorts.iter().all(|&i| Some(i) > found_at),
                            "{what}"
                        );
                        assert!(!plan.iter().any(|p| p.as_str() == "SCAN l"), "{what}");
                    }
                }
            }
        }
        store.close().await;
    }

    #[tokio::test]
    async fn the_unread_badge_reads_the_waiting_lines_index_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).await.unwrap();
        let sql = format!("EXPLAIN QUERY PLAN {UNREAD_SQL}");
        let plan = crate::query_plan(sqlx::query(&sql), store.pool())
            .await
            .join("\n");
        assert!(plan.contains("COVERING INDEX lines_unread"), "{plan}");
        store.close().await;
    }
}
