//! The status dictionary a marketplace lists per account, kept as last loaded so settings
//! and pushes work offline and a failed reload never empties it.

use chrono::Utc;
use ordertray_core::templates::MarketplaceStatus;
use ordertray_core::AccountId;
use sqlx::Row;

use crate::{format_ts, Result, Store};

impl Store {
    /// Replaces the account's dictionary with `list` (in the marketplace's order).
    pub async fn save_marketplace_statuses(
        &self,
        account_id: AccountId,
        list: &[MarketplaceStatus],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM marketplace_statuses WHERE account_id = ?")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        let now = format_ts(Utc::now());
        for (position, s) in list.iter().enumerate() {
            sqlx::query(
                "INSERT INTO marketplace_statuses (account_id, code, name, position, loaded_at)
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, code) DO UPDATE SET name = excluded.name",
            )
            .bind(account_id)
            .bind(&s.code)
            .bind(&s.name)
            .bind(position as i64)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn marketplace_statuses(&self, account_id: AccountId) -> Result<Vec<MarketplaceStatus>> {
        Ok(
            sqlx::query("SELECT code, name FROM marketplace_statuses WHERE account_id = ? ORDER BY position")
                .bind(account_id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| MarketplaceStatus {
                    code: r.get("code"),
                    name: r.get("name"),
                })
                .collect(),
        )
    }
}
