//! The shop's own statuses (the workflow lines of accepted orders move through) and the status an
//! order as a whole is in.

use ordertray_core::statuses::{LineStatusFacts, ShopStatus, StatusGroup, PREORDER};
use ordertray_core::{AppError, ErrorCode, LineState};
use ordertray_core::{ErrorWords, Thing};
use sqlx::{Row, SqliteConnection};

use crate::{Result, Store, StoreError};

impl Store {
    pub async fn shop_statuses(&self) -> Result<Vec<ShopStatus>> {
        statuses(&mut *self.pool.acquire().await?).await
    }

    /// Saves the list as given (its order is the workflow order); new ones have id 0. A status
    /// that lines are in cannot be removed.
    pub async fn save_shop_statuses(&self, list: &[ShopStatus]) -> Result<Vec<ShopStatus>> {
        // Accepted lines start in a "new" status other than "Pre-order".
        if !list
            .iter()
            .any(|s| s.group == StatusGroup::New && s.code.as_deref() != Some(PREORDER))
        {
            return Err(AppError::refused(ErrorWords::KeepNewStatus {}).into());
        }
        if list.iter().any(|s| s.code.is_none() && s.name.trim().is_empty()) {
            return Err(AppError::refused(ErrorWords::NameEmpty { thing: Thing::Status }).into());
        }
        let mut tx = self.begin_write().await?;
        let existing: Vec<i64> = sqlx::query_scalar("SELECT id FROM shop_statuses")
            .fetch_all(&mut *tx)
            .await?;
        for id in existing.iter().filter(|id| !list.iter().any(|s| s.id == **id)) {
            let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM lines WHERE shop_status_id = ?")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            if used > 0 {
                return Err(AppError::said(
                    ErrorCode::InvalidTransition,
                    ErrorWords::StatusInUse { lines: used as u64 },
                )
                .into());
            }
            sqlx::query("DELETE FROM shop_statuses WHERE id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        for (position, s) in list.iter().enumerate() {
            if existing.contains(&s.id) {
                sqlx::query(
                    "UPDATE shop_statuses SET name = ?, grp = ?, position = ?, writes_off = ? WHERE id = ?",
                )
                .bind(s.name.trim())
                .bind(s.group.as_str())
                .bind(position as i64)
                .bind(s.writes_off)
                .bind(s.id)
                .execute(&mut *tx)
                .await?;
            } else {
                sqlx::query(
                    "INSERT INTO shop_statuses (name, grp, position, writes_off) VALUES (?, ?, ?, ?)",
                )
                .bind(s.name.trim())
                .bind(s.group.as_str())
                .bind(position as i64)
                .bind(s.writes_off)
                .execute(&mut *tx)
                .await?;
            }
        }
        let saved = statuses(&mut tx).await?;
        tx.commit().await?;
        Ok(saved)
    }
}

/// SQL for the status an order or an accepted line starts in: the first of the "new" group
/// ("Pre-order" is only for pre-orders; see `status_on_accept` in core).
pub(crate) fn first_new_status() -> String {
    format!(
        "(SELECT id FROM shop_statuses WHERE grp = 'new' AND code IS NOT '{PREORDER}' ORDER BY position, id LIMIT 1)"
    )
}

pub(crate) async fn statuses(conn: &mut SqliteConnection) -> Result<Vec<ShopStatus>> {
    sqlx::query("SELECT id, code, name, grp, position, writes_off FROM shop_statuses ORDER BY position, id")
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            let grp: String = r.get("grp");
            Ok(ShopStatus {
                id: r.get("id"),
                code: r.get("code"),
                name: r.get("name"),
                group: StatusGroup::parse(&grp)
                    .ok_or_else(|| StoreError::Corrupt(format!("status group '{grp}'")))?,
                position: r.get("position"),
                writes_off: r.get("writes_off"),
            })
        })
        .collect()
}

/// The order's status as a whole (see `ordertray_core::statuses::order_state`).
pub(crate) async fn order_state(
    conn: &mut SqliteConnection,
    order_id: i64,
    all: &[ShopStatus],
) -> Result<Option<i64>> {
    let lines =
        sqlx::query("SELECT state, shop_status_id, removed_by_marketplace FROM lines WHERE order_id = ?")
            .bind(order_id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok(LineStatusFacts {
                    state: LineState::parse(r.get("state"))?,
                    shop_status_id: r.get("shop_status_id"),
                    removed_by_marketplace: r.get("removed_by_marketplace"),
                })
            })
            .collect::<Result<Vec<_>>>()?;
    Ok(ordertray_core::statuses::order_state(&lines, all))
}
