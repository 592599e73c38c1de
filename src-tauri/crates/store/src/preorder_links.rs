//! Pre-orders' buyer links: the SHA-256 of each link's token, its expiry, and whether it was used.

use chrono::{DateTime, Utc};
use ordertray_core::cabinet::ShopOrderDraft;
use ordertray_core::timeline::TimelineEvent;
use sqlx::Row;

use crate::cabinet_orders::save_edit;
use crate::time::{format_ts, parse_ts};
use crate::{Result, Store};

/// A link as the buyer's page finds it by its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreorderLink {
    pub id: i64,
    pub shop_order_id: i64,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Gives the order a new link (the one it had stops working).
    pub async fn set_preorder_link(
        &self,
        shop_order_id: i64,
        token_sha256: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO preorder_links (shop_order_id, token_sha256, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (shop_order_id) DO UPDATE SET token_sha256 = ?2, created_at = ?3, expires_at = ?4,
                used_at = NULL",
        )
        .bind(shop_order_id)
        .bind(token_sha256)
        .bind(format_ts(now))
        .bind(format_ts(expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn preorder_link(&self, token_sha256: &str) -> Result<Option<PreorderLink>> {
        let row = sqlx::query(
            "SELECT id, shop_order_id, expires_at, used_at FROM preorder_links WHERE token_sha256 = ?",
        )
        .bind(token_sha256)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(PreorderLink {
                id: r.get("id"),
                shop_order_id: r.get("shop_order_id"),
                expires_at: parse_ts(r.get("expires_at"))?,
                used_at: r.get::<Option<&str>, _>("used_at").map(parse_ts).transpose()?,
            })
        })
        .transpose()
    }

    /// Saves the buyer's completion and uses the link up, both or neither: false (nothing saved)
    /// when the link was used, replaced or expired meanwhile.
    pub async fn complete_preorder_by_link(
        &self,
        link: &PreorderLink,
        draft: &ShopOrderDraft,
        event: &TimelineEvent,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let claimed = sqlx::query(
            "UPDATE preorder_links SET used_at = ?1
             WHERE id = ?2 AND shop_order_id = ?3 AND used_at IS NULL AND expires_at > ?1",
        )
        .bind(format_ts(now))
        .bind(link.id)
        .bind(link.shop_order_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(false);
        }
        save_edit(&mut tx, link.shop_order_id, draft, "buyer", event).await?;
        tx.commit().await?;
        Ok(true)
    }
}
