use chrono::Utc;
use ordertray_core::timeline::{EventArgs, TimelineEvent};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use crate::time::format_ts;
use crate::{Result, Store};

/// One audit event, written inside the caller's transaction.
pub(crate) struct NewEvent<'a> {
    pub account_id: Option<i64>,
    pub order_id: Option<i64>,
    pub line_id: Option<i64>,
    pub actor: &'a str,
    pub event: &'a TimelineEvent,
}

/// Stores the event's code as `kind`, its arguments as JSON in `data`, and its English wording
/// as `message` (the CLI's, the logs', and what older readers show).
pub(crate) async fn insert_event(conn: &mut SqliteConnection, e: NewEvent<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (at, account_id, order_id, line_id, kind, actor, message, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(format_ts(Utc::now()))
    .bind(e.account_id)
    .bind(e.order_id)
    .bind(e.line_id)
    .bind(e.event.kind())
    .bind(e.actor)
    .bind(e.event.english())
    .bind(serde_json::to_string(&e.event.args())?)
    .execute(conn)
    .await?;
    Ok(())
}

/// Several events in one statement per few hundred (a sync page's arrivals), inside the caller's
/// transaction; the same rows as [`insert_event`] writes one by one.
pub(crate) async fn insert_events(conn: &mut SqliteConnection, events: &[NewEvent<'_>]) -> Result<()> {
    let at = format_ts(Utc::now());
    for chunk in events.chunks(400) {
        let mut rows = Vec::with_capacity(chunk.len());
        for e in chunk {
            rows.push((e, serde_json::to_string(&e.event.args())?));
        }
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO events (at, account_id, order_id, line_id, kind, actor, message, data) ",
        );
        q.push_values(rows, |mut b, (e, data)| {
            b.push_bind(at.clone())
                .push_bind(e.account_id)
                .push_bind(e.order_id)
                .push_bind(e.line_id)
                .push_bind(e.event.kind())
                .push_bind(e.actor.to_string())
                .push_bind(e.event.english())
                .push_bind(data);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// The arguments of a stored event: None for rows written before events had them (or unreadable).
pub(crate) fn args_of(row: &SqliteRow) -> Option<EventArgs> {
    row.get::<Option<String>, _>("data")
        .and_then(|data| serde_json::from_str(&data).ok())
}

impl Store {
    /// Records an audit event outside any other change (account edits, sync failures).
    pub async fn event(
        &self,
        account_id: Option<i64>,
        order_id: Option<i64>,
        line_id: Option<i64>,
        actor: &str,
        event: &TimelineEvent,
    ) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        insert_event(
            &mut conn,
            NewEvent {
                account_id,
                order_id,
                line_id,
                actor,
                event,
            },
        )
        .await
    }
}

/// An event about a shop order, on the timelines of the shop order and the marketplace order it
/// was made from.
pub(crate) async fn shop_order_event(
    conn: &mut SqliteConnection,
    shop_order_id: i64,
    actor: &str,
    event: &TimelineEvent,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (at, account_id, order_id, shop_order_id, kind, actor, message, data)
         SELECT ?, account_id, source_order_id, id, ?, ?, ?, ? FROM shop_orders WHERE id = ?",
    )
    .bind(format_ts(Utc::now()))
    .bind(event.kind())
    .bind(actor)
    .bind(event.english())
    .bind(serde_json::to_string(&event.args())?)
    .bind(shop_order_id)
    .execute(conn)
    .await?;
    Ok(())
}
