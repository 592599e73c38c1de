use chrono::Utc;
use sqlx::SqliteConnection;

use crate::time::format_ts;
use crate::{Result, Store};

/// One audit event, written inside the caller's transaction.
pub(crate) struct NewEvent<'a> {
    pub account_id: Option<i64>,
    pub order_id: Option<i64>,
    pub line_id: Option<i64>,
    pub kind: &'a str,
    pub actor: &'a str,
    pub message: &'a str,
}

pub(crate) async fn insert_event(conn: &mut SqliteConnection, e: NewEvent<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (at, account_id, order_id, line_id, kind, actor, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(format_ts(Utc::now()))
    .bind(e.account_id)
    .bind(e.order_id)
    .bind(e.line_id)
    .bind(e.kind)
    .bind(e.actor)
    .bind(e.message)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// Records an audit event outside any other change (account edits, sync failures).
    pub async fn event(
        &self,
        account_id: Option<i64>,
        order_id: Option<i64>,
        line_id: Option<i64>,
        kind: &str,
        actor: &str,
        message: &str,
    ) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        insert_event(
            &mut conn,
            NewEvent {
                account_id,
                order_id,
                line_id,
                kind,
                actor,
                message,
            },
        )
        .await
    }
}
