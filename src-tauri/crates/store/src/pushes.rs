//! The facts the account's push settings work from, read inside the caller's transaction, and the
//! status calls a decision queues for a marketplace told per line (planned by
//! `ordertray_core::pushes`).

use std::collections::BTreeSet;

use ordertray_core::notify_text::Lang;
use ordertray_core::pushes::{decision_notice, PushLine};
use ordertray_core::TriageAction;
use sqlx::{Row, SqliteConnection};

use crate::events::{insert_event, NewEvent};
use crate::outbox::queue_effect;
use crate::Result;

/// A line with what pushes about it need.
#[derive(Clone)]
pub(crate) struct LineFacts {
    pub id: i64,
    pub order_id: i64,
    pub account_id: i64,
    pub state: String,
    pub push: PushLine,
}

pub(crate) async fn line_facts(conn: &mut SqliteConnection, ids: &BTreeSet<i64>) -> Result<Vec<LineFacts>> {
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
        state: r.get("state"),
        push: PushLine {
            external_order: r.get("external_id"),
            external_line: r.get("external_line"),
            order_number: r.get("number"),
            sku: r.get("sku"),
            offer_id: r.get("offer_id"),
            name: r.get("name"),
            quantity: r.get("quantity"),
            price: r.get("price"),
            bound_offer: r.get("bound_offer"),
            tracking: r.get::<Option<String>, _>("tracking").unwrap_or_default(),
        },
    })
    .collect())
}

/// The lines an order goes on with: accepted, still on the marketplace, not refused or removed.
pub(crate) async fn active_lines(conn: &mut SqliteConnection, order_id: i64) -> Result<Vec<LineFacts>> {
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

/// A decision told to a marketplace per line: the account's "accepted" or "unconditional refusal"
/// status with its text, for each decided line of one order. A text that cannot be written, or a
/// text without a status, sends nothing and says why on the order's timeline.
pub(crate) async fn plan_decision_pushes(
    conn: &mut SqliteConnection,
    (account_id, order_id): (i64, i64),
    action: TriageAction,
    decided: &BTreeSet<i64>,
    actor: &str,
    (now, send_at): (&str, &str),
    lang: Lang,
) -> Result<Vec<i64>> {
    let templates = crate::account_options::templates_of(conn, account_id).await?;
    let Some(notice) = decision_notice(&templates, action) else {
        return Ok(vec![]);
    };
    let lines: Vec<PushLine> = line_facts(conn, decided)
        .await?
        .into_iter()
        .map(|l| l.push)
        .collect();
    if lines.is_empty() {
        return Ok(vec![]);
    }
    let statuses = if notice.text.trim().is_empty() {
        vec![]
    } else {
        crate::shop_statuses::statuses(conn).await?
    };
    let effects = match ordertray_core::pushes::plan_decision_pushes(&notice, &lines, &statuses, lang, now)? {
        Ok(effects) => effects,
        Err(problem) => {
            insert_event(
                conn,
                NewEvent {
                    account_id: Some(account_id),
                    order_id: Some(order_id),
                    line_id: None,
                    actor,
                    event: &problem,
                },
            )
            .await?;
            return Ok(vec![]);
        }
    };
    let mut rows = vec![];
    for effect in &effects {
        if let Some(id) = queue_effect(conn, account_id, order_id, effect, actor, (now, send_at)).await? {
            rows.push(id);
        }
    }
    Ok(rows)
}
