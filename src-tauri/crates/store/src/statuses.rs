//! Shop statuses, status changes of accepted lines, and the marketplace calls the account's
//! status settings ask for, queued in the same transaction as the change.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use ordertray_core::notify_text::Lang;
use ordertray_core::statuses::{order_status, status_name, status_on_accept, ShopStatus, StatusGroup};
use ordertray_core::templates::{render, PushCapabilities, PushLevel, PushTemplates};
use ordertray_core::{AppError, Effect, EffectItem, ErrorCode, LineState, TriageAction};
use sqlx::{Row, SqliteConnection};

use crate::events::{insert_event, NewEvent};
use crate::time::format_ts;
use crate::triage::{account_cancel_reason, queue_effect};
use crate::{Result, Store, StoreError};
use ordertray_core::timeline::{NoticeKind, PushLevelWord, TimelineEvent};

/// What a status change did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusChange {
    pub changed: Vec<i64>,
    pub outbox_rows: Vec<i64>,
    /// Why a configured push was not sent (its template lacks a value, the marketplace cannot do it).
    pub not_sent: Vec<String>,
}

#[derive(Clone)]
struct LineFacts {
    id: i64,
    order_id: i64,
    account_id: i64,
    external_order: String,
    /// The line's own id at the marketplace (ZZAP: its `code_order`).
    external_line: String,
    order_number: String,
    sku: String,
    /// The seller's article as the marketplace knows it (Ozon's `offer_id`, ZZAP's `partnumber`).
    offer_id: String,
    name: String,
    quantity: i64,
    price: String,
    bound_offer: Option<String>,
    state: String,
    /// The tracking number entered on the shop order ("" until then).
    tracking: String,
}

impl Store {
    pub async fn shop_statuses(&self) -> Result<Vec<ShopStatus>> {
        statuses(&mut *self.pool.acquire().await?).await
    }

    /// Saves the list as given (its order is the workflow order); new ones have id 0. A status
    /// that lines are in cannot be removed.
    pub async fn save_shop_statuses(&self, list: &[ShopStatus]) -> Result<Vec<ShopStatus>> {
        if !list.iter().any(|s| s.group == StatusGroup::New) {
            return Err(AppError::invalid(
                "Keep at least one status in the “new” group: accepted lines start there",
            )
            .into());
        }
        if list.iter().any(|s| s.code.is_none() && s.name.trim().is_empty()) {
            return Err(AppError::invalid("Every status needs a name").into());
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
                return Err(AppError::new(
                    ErrorCode::InvalidTransition,
                    format!("{used} line(s) are in a status you removed; move them to another status first"),
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
                sqlx::query("UPDATE shop_statuses SET name = ?, grp = ?, position = ? WHERE id = ?")
                    .bind(s.name.trim())
                    .bind(s.group.as_str())
                    .bind(position as i64)
                    .bind(s.id)
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query("INSERT INTO shop_statuses (name, grp, position) VALUES (?, ?, ?)")
                    .bind(s.name.trim())
                    .bind(s.group.as_str())
                    .bind(position as i64)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let saved = statuses(&mut tx).await?;
        tx.commit().await?;
        Ok(saved)
    }

    pub async fn push_templates(&self, account_id: i64) -> Result<PushTemplates> {
        let doc: Option<String> = sqlx::query_scalar("SELECT doc FROM push_templates WHERE account_id = ?")
            .bind(account_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(doc
            .map(|d| serde_json::from_str(&d))
            .transpose()?
            .unwrap_or_default())
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
            .ok_or_else(|| AppError::not_found(format!("Line {line_id} not found")))?;
        let statuses = statuses(&mut conn).await?;
        let status = statuses
            .iter()
            .find(|s| s.id == status_id)
            .ok_or_else(|| AppError::not_found(format!("Status {status_id} not found")))?;
        values(&line, status, lang)
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
            return Err(AppError::invalid("No lines selected").into());
        }
        let mut tx = self.begin_write().await?;
        let all = statuses(&mut tx).await?;
        let status = all
            .iter()
            .find(|s| s.id == status_id)
            .cloned()
            .ok_or_else(|| AppError::not_found(format!("Status {status_id} not found")))?;
        let lines = line_facts(&mut tx, &ids).await?;
        if lines.len() != ids.len() {
            return Err(AppError::not_found("Some of the lines no longer exist").into());
        }
        if let Some(LineFacts { id, .. }) = lines.iter().find(|l| l.state != LineState::Accepted.as_str()) {
            return Err(AppError::new(
                ErrorCode::InvalidTransition,
                format!("Line {id} is not accepted: only accepted lines move through the shop's statuses"),
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
                line: l.name.clone(),
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
            let order_lines: Vec<&LineFacts> = lines.iter().filter(|l| l.order_id == order).collect();
            let first = order_lines[0];
            let mut notes: Vec<TimelineEvent> = vec![];
            let order_number = || first.order_number.clone();
            let templates = templates_of(&mut tx, first.account_id).await?;
            let caps = caps(first.account_id);
            let after = order_state(&mut tx, order, &all).await?;
            let reached = after == Some(status_id) && before.get(&order) != Some(&after);
            let by_line = crate::account_options::account_policy(&mut tx, first.account_id)
                .await?
                .decides_by_line_status;
            for push in templates.pushes.iter().filter(|p| p.status_id == status_id) {
                let targets: Vec<LineFacts> = match push.level {
                    PushLevel::Line => order_lines.iter().map(|l| (*l).clone()).collect(),
                    // A marketplace told per line hears an order-level status on each of its lines.
                    PushLevel::Order if reached && by_line => active_lines(&mut tx, order).await?,
                    PushLevel::Order if reached => vec![first.clone()],
                    PushLevel::Order => continue,
                };
                // A comment is written for each target before anything is queued: a template that
                // cannot be filled sends nothing at all.
                let mut comments = vec![];
                if !push.comment.trim().is_empty() {
                    let mut failed = None;
                    for t in &targets {
                        match render(&push.comment, &values(t, &status, lang)?) {
                            Ok(text) => comments.push(text),
                            Err(e) => failed = Some(e),
                        }
                    }
                    if let Some(e) = failed {
                        notes.push(TimelineEvent::PushCommentFailed {
                            order: order_number(),
                            error: e.to_string(),
                        });
                        continue;
                    }
                    if !caps.comments {
                        notes.push(TimelineEvent::PushNoComments {
                            order: order_number(),
                        });
                    }
                }
                if push.marketplace_status.is_empty() {
                    if by_line && !comments.is_empty() {
                        notes.push(TimelineEvent::PushCommentNeedsStatus {
                            order: order_number(),
                            status: status.name.clone(),
                            status_code: status.code.clone(),
                        });
                    }
                    continue;
                }
                let effects = if by_line {
                    line_status_effects(
                        &caps,
                        push.level,
                        &push.marketplace_status,
                        &targets,
                        &comments,
                        &now,
                    )
                } else {
                    effect_for(
                        &mut tx,
                        &push.marketplace_status,
                        push.level,
                        &caps,
                        first,
                        &order_lines,
                    )
                    .await?
                    .map(|e| vec![e])
                };
                let Some(effects) = effects else {
                    notes.push(TimelineEvent::PushUnsupported {
                        order: order_number(),
                        status: push.marketplace_status.clone(),
                        level: if push.level == PushLevel::Line {
                            PushLevelWord::Line
                        } else {
                            PushLevelWord::Order
                        },
                    });
                    continue;
                };
                for effect in effects {
                    if let Some(id) =
                        queue_effect(&mut tx, first.account_id, order, &effect, actor, (&now, &now)).await?
                    {
                        change.outbox_rows.push(id);
                    }
                }
            }
            crate::cabinet_orders::refresh_from_lines(&mut tx, order).await?;
            // Each reason goes on the timeline of the order it is about.
            for note in &notes {
                change.not_sent.push(note.english());
                insert_event(
                    &mut tx,
                    NewEvent {
                        account_id: Some(first.account_id),
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

/// The call a marketplace status means, when the marketplace can take it at that level.
async fn effect_for(
    conn: &mut SqliteConnection,
    marketplace_status: &str,
    level: PushLevel,
    caps: &PushCapabilities,
    first: &LineFacts,
    lines: &[&LineFacts],
) -> Result<Option<Effect>> {
    let allowed = match level {
        PushLevel::Line => &caps.line_statuses,
        PushLevel::Order => &caps.order_statuses,
    };
    if !allowed.iter().any(|s| s == marketplace_status) {
        return Ok(None);
    }
    let order = first.external_order.clone();
    let item = |l: &LineFacts| EffectItem {
        sku: l.sku.clone(),
        quantity: l.quantity,
    };
    Ok(match (marketplace_status, level) {
        ("cancel", PushLevel::Line) => Some(Effect::CancelLines {
            order_external_id: order,
            reason: account_cancel_reason(conn, first.account_id).await?.0,
            items: lines.iter().map(|l| item(l)).collect(),
        }),
        ("cancel", PushLevel::Order) => Some(Effect::CancelOrder {
            order_external_id: order,
            reason: account_cancel_reason(conn, first.account_id).await?.0,
        }),
        (stage, PushLevel::Order) if ordertray_core::DELIVERY_STAGES.contains(&stage) => {
            Some(Effect::DeliveryStatus {
                order_external_id: order,
                status: stage.to_string(),
            })
        }
        ("ship", PushLevel::Order) => Some(Effect::Ship {
            order_external_id: order,
            items: active_lines(conn, first.order_id)
                .await?
                .iter()
                .map(item)
                .collect(),
        }),
        _ => None,
    })
}

/// A decision told to a marketplace per line (ZZAP): the account's "accepted" or "unconditional
/// refusal" status with its text, for each decided line of one order. A text that cannot be
/// written, or a text without a status, sends nothing and says why on the order's timeline.
pub(crate) async fn plan_decision_pushes(
    conn: &mut SqliteConnection,
    (account_id, order_id): (i64, i64),
    action: TriageAction,
    decided: &BTreeSet<i64>,
    actor: &str,
    (now, send_at): (&str, &str),
    lang: Lang,
) -> Result<Vec<i64>> {
    let templates = templates_of(conn, account_id).await?;
    let (code, text, notice) = match action {
        TriageAction::Accept => (
            &templates.accepted_status,
            &templates.accepted_notice,
            NoticeKind::AcceptedNotice,
        ),
        TriageAction::Reject => (
            &templates.refusal_status,
            &templates.refusal_text,
            NoticeKind::RefusalText,
        ),
        TriageAction::Delete | TriageAction::Restore => return Ok(vec![]),
    };
    if code.is_empty() && text.trim().is_empty() {
        return Ok(vec![]);
    }
    let lines = line_facts(conn, decided).await?;
    let Some(first) = lines.first() else {
        return Ok(vec![]);
    };
    let mut comments = vec![];
    let mut problem = None;
    if code.is_empty() {
        problem = Some(TimelineEvent::NoticeNeedsStatus {
            order: first.order_number.clone(),
            notice,
        });
    } else if !text.trim().is_empty() {
        let all = statuses(conn).await?;
        let status = match action {
            TriageAction::Accept => status_on_accept(&all),
            _ => all.iter().find(|s| s.group == StatusGroup::Refused),
        };
        for l in &lines {
            let written = match status {
                Some(s) => render(text, &values(l, s, lang)?).map_err(|e| e.to_string()),
                None => Err("there is no shop status to word it with".to_string()),
            };
            match written {
                Ok(c) => comments.push(c),
                Err(e) => {
                    problem = Some(TimelineEvent::NoticeFailed {
                        order: first.order_number.clone(),
                        notice,
                        error: e,
                    });
                    break;
                }
            }
        }
    }
    if let Some(event) = problem {
        insert_event(
            conn,
            NewEvent {
                account_id: Some(account_id),
                order_id: Some(order_id),
                line_id: None,
                actor,
                event: &event,
            },
        )
        .await?;
        return Ok(vec![]);
    }
    let mut rows = vec![];
    for (i, l) in lines.iter().enumerate() {
        let effect = Effect::SetLineStatus {
            order_external_id: l.external_order.clone(),
            line_external_id: l.external_line.clone(),
            status: code.clone(),
            comment: comments.get(i).cloned().unwrap_or_default(),
            decided_at: now.to_string(),
        };
        if let Some(id) = queue_effect(conn, account_id, order_id, &effect, actor, (now, send_at)).await? {
            rows.push(id);
        }
    }
    Ok(rows)
}

/// One status call per line, for a marketplace told per line; `None` when it has no such status.
fn line_status_effects(
    caps: &PushCapabilities,
    level: PushLevel,
    status: &str,
    targets: &[LineFacts],
    comments: &[String],
    decided_at: &str,
) -> Option<Vec<Effect>> {
    let allowed = match level {
        PushLevel::Line => &caps.line_statuses,
        PushLevel::Order => &caps.order_statuses,
    };
    if !allowed.iter().any(|s| s == status) {
        return None;
    }
    Some(
        targets
            .iter()
            .enumerate()
            .map(|(i, t)| Effect::SetLineStatus {
                order_external_id: t.external_order.clone(),
                line_external_id: t.external_line.clone(),
                status: status.to_string(),
                comment: comments.get(i).cloned().unwrap_or_default(),
                decided_at: decided_at.to_string(),
            })
            .collect(),
    )
}

/// The lines an order goes on with: accepted, still on the marketplace, not refused or removed.
async fn active_lines(conn: &mut SqliteConnection, order_id: i64) -> Result<Vec<LineFacts>> {
    let ids: BTreeSet<i64> = sqlx::query_scalar(
        "SELECT l.id FROM lines l LEFT JOIN shop_statuses s ON s.id = l.shop_status_id
         WHERE l.order_id = ? AND l.state = 'accepted' AND l.removed_by_marketplace = 0
           AND COALESCE(s.grp, 'new') NOT IN ('refused', 'removed')",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    line_facts(conn, &ids).await
}

/// The order's status as a whole; lines not accepted count as refused (rejected) or removed
/// (deleted, gone from the marketplace), and a line still in the inbox keeps it undecided.
pub(crate) async fn order_state(
    conn: &mut SqliteConnection,
    order_id: i64,
    all: &[ShopStatus],
) -> Result<Option<i64>> {
    let rows =
        sqlx::query("SELECT state, shop_status_id, removed_by_marketplace FROM lines WHERE order_id = ?")
            .bind(order_id)
            .fetch_all(&mut *conn)
            .await?;
    let refused = all
        .iter()
        .find(|s| s.group == StatusGroup::Refused)
        .map_or(-2, |s| s.id);
    let removed = all
        .iter()
        .find(|s| s.group == StatusGroup::Removed)
        .map_or(-3, |s| s.id);
    let mut lines = vec![];
    for r in &rows {
        let state: String = r.get("state");
        let entry = if r.get::<bool, _>("removed_by_marketplace") || state == "deleted" {
            (removed, StatusGroup::Removed)
        } else if state == "rejected" {
            (refused, StatusGroup::Refused)
        } else if state == "new" {
            return Ok(None);
        } else {
            let id: Option<i64> = r.get("shop_status_id");
            let group = id
                .and_then(|id| all.iter().find(|s| s.id == id))
                .map_or(StatusGroup::New, |s| s.group);
            (id.unwrap_or(-1), group)
        };
        lines.push(entry);
    }
    Ok(order_status(&lines))
}

async fn templates_of(conn: &mut SqliteConnection, account_id: i64) -> Result<PushTemplates> {
    let doc: Option<String> = sqlx::query_scalar("SELECT doc FROM push_templates WHERE account_id = ?")
        .bind(account_id)
        .fetch_optional(conn)
        .await?;
    Ok(doc
        .map(|d| serde_json::from_str(&d))
        .transpose()?
        .unwrap_or_default())
}

pub(crate) async fn statuses(conn: &mut SqliteConnection) -> Result<Vec<ShopStatus>> {
    sqlx::query("SELECT id, code, name, grp, position FROM shop_statuses ORDER BY position, id")
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
            })
        })
        .collect()
}

async fn line_facts(conn: &mut SqliteConnection, ids: &BTreeSet<i64>) -> Result<Vec<LineFacts>> {
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    Ok(sqlx::query(&format!(
        "SELECT l.id, l.order_id, o.account_id, o.external_id, l.external_id AS external_line, o.number, l.sku,
            l.offer_id, l.name, l.quantity, l.price, l.bound_offer, l.state,
            (SELECT tracking_number FROM shop_orders so WHERE so.id = l.shop_order_id) AS tracking
         FROM lines l JOIN orders o ON o.id = l.order_id WHERE l.id IN ({list}) ORDER BY l.id"
    ))
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| LineFacts {
        id: r.get("id"),
        order_id: r.get("order_id"),
        account_id: r.get("account_id"),
        external_order: r.get("external_id"),
        external_line: r.get("external_line"),
        order_number: r.get("number"),
        sku: r.get("sku"),
        offer_id: r.get("offer_id"),
        name: r.get("name"),
        quantity: r.get("quantity"),
        price: r.get("price"),
        bound_offer: r.get("bound_offer"),
        state: r.get("state"),
        tracking: r.get::<Option<String>, _>("tracking").unwrap_or_default(),
    })
    .collect())
}

fn values(l: &LineFacts, status: &ShopStatus, lang: Lang) -> Result<BTreeMap<String, String>> {
    let offer: Option<ordertray_core::pricelist::BoundOffer> =
        l.bound_offer.as_deref().map(serde_json::from_str).transpose()?;
    let mut v = BTreeMap::new();
    v.insert("order".into(), l.order_number.clone());
    v.insert("line".into(), l.sku.clone());
    v.insert("name".into(), l.name.clone());
    v.insert("qty".into(), l.quantity.to_string());
    v.insert("price".into(), l.price.clone());
    v.insert("status".into(), status_name(status, lang));
    // A line rejected (or not yet bound) has no offer; its article is still the one the buyer
    // ordered, which is what a refusal text names.
    match offer {
        Some(o) => {
            v.insert("brand".into(), o.brand);
            v.insert("article".into(), o.article);
        }
        None if !l.offer_id.trim().is_empty() => {
            v.insert("article".into(), l.offer_id.clone());
        }
        None => {}
    }
    // Empty until entered on the order: a template that uses it reports the missing value
    // instead of sending a gap. Reasons arrive with the cabinet issue.
    v.insert("tracking".into(), l.tracking.clone());
    Ok(v)
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
