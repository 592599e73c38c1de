//! Status changes of accepted lines and the account's push settings, with the marketplace calls
//! those settings ask for queued in the same transaction as the change (planned by
//! `ordertray_core::pushes`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use ordertray_core::notify_text::Lang;
use ordertray_core::pushes::{plan_status_pushes, template_values, PushLine, StatusMove};
use ordertray_core::templates::{PushCapabilities, PushTemplates};
use ordertray_core::timeline::TimelineEvent;
use ordertray_core::{AppError, ErrorCode, LineState};
use ordertray_core::{ErrorWords, Thing};

use crate::account_options::{account_policy, templates_of};
use crate::events::{insert_event, NewEvent};
use crate::outbox::queue_effect;
use crate::pushes::{active_lines, line_facts, LineFacts};
use crate::shop_statuses::{order_state, statuses};
use crate::time::format_ts;
use crate::{Result, Store};

/// What a status change did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusChange {
    pub changed: Vec<i64>,
    pub outbox_rows: Vec<i64>,
    /// Why a configured push was not sent (its template lacks a value, the marketplace cannot do it).
    pub not_sent: Vec<TimelineEvent>,
}

impl Store {
    pub async fn push_templates(&self, account_id: i64) -> Result<PushTemplates> {
        templates_of(&mut *self.pool.acquire().await?, account_id).await
    }

    pub async fn save_push_templates(&self, account_id: i64, templates: &PushTemplates) -> Result<()> {
        sqlx::query(
            "INSERT INTO push_templates (account_id, doc) VALUES (?, ?)
             ON CONFLICT (account_id) DO UPDATE SET doc = excluded.doc",
        )
        .bind(account_id)
        .bind(serde_json::to_string(templates)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The values a comment template gets for one line, for the settings preview and for pushes.
    pub async fn template_values(
        &self,
        line_id: i64,
        status_id: i64,
        lang: Lang,
    ) -> Result<BTreeMap<String, String>> {
        let mut conn = self.pool.acquire().await?;
        let line = line_facts(&mut conn, &BTreeSet::from([line_id]))
            .await?
            .pop()
            .ok_or_else(|| AppError::missing(Thing::Line, line_id))?;
        let statuses = statuses(&mut conn).await?;
        let status = statuses
            .iter()
            .find(|s| s.id == status_id)
            .ok_or_else(|| AppError::missing(Thing::Status, status_id))?;
        Ok(template_values(&line.push, status, lang)?)
    }

    /// Moves accepted lines to a shop status and queues what the account's settings send for it:
    /// line-level pushes for these lines, order-level ones when the order as a whole reaches it.
    pub async fn set_line_status(
        &self,
        line_ids: &[i64],
        status_id: i64,
        actor: &str,
        lang: Lang,
        caps: &(dyn Fn(i64) -> PushCapabilities + Sync),
    ) -> Result<StatusChange> {
        let ids: BTreeSet<i64> = line_ids.iter().copied().collect();
        if ids.is_empty() {
            return Err(AppError::refused(ErrorWords::NothingSelected { thing: Thing::Line }).into());
        }
        let mut tx = self.begin_write().await?;
        let all = statuses(&mut tx).await?;
        let status = all
            .iter()
            .find(|s| s.id == status_id)
            .cloned()
            .ok_or_else(|| AppError::missing(Thing::Status, status_id))?;
        let lines = line_facts(&mut tx, &ids).await?;
        if lines.len() != ids.len() {
            return Err(AppError::said(
                ErrorCode::NotFound,
                ErrorWords::NoLongerExist { thing: Thing::Line },
            )
            .into());
        }
        if let Some(LineFacts { id, .. }) = lines.iter().find(|l| l.state != LineState::Accepted.as_str()) {
            return Err(AppError::said(
                ErrorCode::InvalidTransition,
                ErrorWords::OnlyAcceptedMove { line: *id },
            )
            .into());
        }
        let now = format_ts(Utc::now());
        let orders: BTreeSet<i64> = lines.iter().map(|l| l.order_id).collect();
        let mut before = BTreeMap::new();
        for order in &orders {
            before.insert(*order, order_state(&mut tx, *order, &all).await?);
        }
        let mut change = StatusChange::default();
        for l in &lines {
            sqlx::query("UPDATE lines SET shop_status_id = ? WHERE id = ?")
                .bind(status_id)
                .bind(l.id)
                .execute(&mut *tx)
                .await?;
            let event = TimelineEvent::LineStatus {
                line: l.push.name.clone(),
                status: status.name.clone(),
                status_code: status.code.clone(),
            };
            insert_event(
                &mut tx,
                NewEvent {
                    account_id: Some(l.account_id),
                    order_id: Some(l.order_id),
                    line_id: Some(l.id),
                    actor,
                    event: &event,
                },
            )
            .await?;
            change.changed.push(l.id);
        }

        for order in orders {
            let moved: Vec<PushLine> = lines
                .iter()
                .filter(|l| l.order_id == order)
                .map(|l| l.push.clone())
                .collect();
            let account_id = lines
                .iter()
                .find(|l| l.order_id == order)
                .map(|l| l.account_id)
                .unwrap_or_default();
            let templates = templates_of(&mut tx, account_id).await?;
            let caps = caps(account_id);
            let after = order_state(&mut tx, order, &all).await?;
            let reached = after == Some(status_id) && before.get(&order) != Some(&after);
            let policy = account_policy(&mut tx, account_id).await?;
            let active: Vec<PushLine> = if reached {
                active_lines(&mut tx, order)
                    .await?
                    .into_iter()
                    .map(|l| l.push)
                    .collect()
            } else {
                vec![]
            };
            // The order's status (and its items' write-off) first: what waits for the write-off
            // goes out with the status that does it.
            crate::shop_order_sync::refresh_from_lines(&mut tx, order).await?;
            let written_off: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM shop_orders WHERE source_order_id = ? AND written_off_at IS NOT NULL)",
            )
            .bind(order)
            .fetch_one(&mut *tx)
            .await?;
            let planned = plan_status_pushes(&StatusMove {
                templates: &templates,
                status: &status,
                caps: &caps,
                by_line: policy.decides_by_line_status,
                cancel_reason: &policy.cancel_reason,
                reached,
                moved: &moved,
                active: &active,
                lang,
                decided_at: &now,
                needs_write_off: policy.needs_write_off.as_deref(),
                written_off,
            })?;
            for effect in &planned.effects {
                if let Some(id) =
                    queue_effect(&mut tx, account_id, order, effect, actor, (&now, &now)).await?
                {
                    change.outbox_rows.push(id);
                }
            }
            // Each reason goes on the timeline of the order it is about.
            for note in &planned.not_sent {
                change.not_sent.push(note.clone());
                insert_event(
                    &mut tx,
                    NewEvent {
                        account_id: Some(account_id),
                        order_id: Some(order),
                        line_id: None,
                        actor,
                        event: note,
                    },
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(change)
    }
}

impl Store {
    /// (line, order, account) of each line, for work done per order after a decision.
    pub async fn line_owners(&self, line_ids: &[i64]) -> Result<Vec<(i64, i64, i64)>> {
        if line_ids.is_empty() {
            return Ok(vec![]);
        }
        let list = line_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        Ok(sqlx::query_as(&format!(
            "SELECT l.id, l.order_id, o.account_id FROM lines l JOIN orders o ON o.id = l.order_id
             WHERE l.id IN ({list}) ORDER BY l.id"
        ))
        .fetch_all(&self.pool)
        .await?)
    }
}
