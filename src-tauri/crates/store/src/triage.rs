//! A triage decision as one transaction: line states, audit events, the customer link, and the
//! outbox rows for every marketplace call the decision causes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::Utc;
use ordertray_core::customer::{normalize_email, normalize_phone};

use crate::shop_order_customer::{find_or_add_customer, Buyer};
use ordertray_core::pricelist::{article_key, brand_key, BoundOffer};
use ordertray_core::rules::RuleDecision;
use ordertray_core::timeline::TimelineEvent;
use ordertray_core::{
    is_cancelled_status, plan_effects, ship_allowed, AppError, CancelReason, Effect, ErrorCode, LineAfter,
    LineState, TriageAction, TriagePolicy, TriageReport,
};
use ordertray_core::{AccountPolicy, ErrorWords, Thing};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use ordertray_core::notify_text::Lang;

use crate::events::{insert_event, NewEvent};
use crate::outbox::queue_effect;
use crate::shop_order_sync::{place_on_shop_order, refresh_from_lines};
use crate::time::format_ts;
use crate::{Result, Store};

/// What a decision carries beyond the action itself.
#[derive(Debug, Clone, Default)]
pub struct TriageExtras {
    /// Accept: the offer each line is bound to.
    pub bindings: HashMap<i64, BoundOffer>,
    /// The rule that decided, when it was not the manager.
    pub rule: Option<RuleDecision>,
    /// Reject: this cancel reason instead of the account's default.
    pub cancel_reason: Option<CancelReason>,
    /// Move an existing customer to the order's region when it differs (a global setting).
    pub move_customer_region: bool,
    /// Hold the marketplace calls this long, so that the manager can still undo the decision.
    pub hold: Option<chrono::Duration>,
    /// The language texts for buyers are written in (shop status names in comments).
    pub lang: Lang,
    /// The decision was already made in the marketplace's own cabinet (an order that arrived
    /// assembled or further on): nothing is sent back for it.
    pub made_elsewhere: bool,
}

struct Target {
    line_id: i64,
    order_id: i64,
    account_id: i64,
    name: String,
    from: LineState,
    /// The marketplace took the line out of its order (a sync since the manager's list was read).
    removed: bool,
}

impl Store {
    /// Applies `action` to the lines, atomically: if any line cannot take it, nothing changes.
    pub async fn triage(&self, line_ids: &[i64], action: TriageAction, actor: &str) -> Result<TriageReport> {
        self.triage_with(line_ids, action, actor, &TriageExtras::default())
            .await
    }

    /// [`Store::triage`] with offer bindings, the deciding rule or a cancel reason.
    pub async fn triage_with(
        &self,
        line_ids: &[i64],
        action: TriageAction,
        actor: &str,
        extras: &TriageExtras,
    ) -> Result<TriageReport> {
        if action != TriageAction::Accept && !extras.bindings.is_empty() {
            return Err(AppError::refused(ErrorWords::OnlyAcceptedBound {}).into());
        }
        let ids: BTreeSet<i64> = line_ids.iter().copied().collect();
        if ids.is_empty() {
            return Err(AppError::refused(ErrorWords::NothingSelected { thing: Thing::Line }).into());
        }
        let mut tx = self.begin_write().await?;
        let targets = load_targets(&mut tx, &ids).await?;
        let missing: Vec<String> = ids
            .iter()
            .filter(|id| !targets.iter().any(|t| t.line_id == **id))
            .map(i64::to_string)
            .collect();
        if !missing.is_empty() {
            return Err(AppError::missing(Thing::Line, missing.join(", ")).into());
        }

        let mut cancelled_orders = BTreeMap::new();
        for t in &targets {
            let (number, status, read_only): (String, String, bool) =
                sqlx::query_as("SELECT number, status, read_only FROM orders WHERE id = ?")
                    .bind(t.order_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if read_only {
                return Err(read_only_error(&number).into());
            }
            action.check_from(t.line_id, t.from)?;
            // Accepted, it would go on a shop order the marketplace will not fill; rejected, its
            // cancel would name a product the order no longer has. Deleting it is harmless.
            if t.removed && matches!(action, TriageAction::Accept | TriageAction::Reject) {
                return Err(AppError::refused(ErrorWords::LineNotWaiting { line: t.line_id }).into());
            }
            let cancelled = is_cancelled_status(&status);
            if cancelled && action == TriageAction::Accept {
                return Err(AppError::said(
                    ErrorCode::InvalidTransition,
                    ErrorWords::OrderCancelledOnMarketplace {
                        number: number.clone(),
                    },
                )
                .into());
            }
            cancelled_orders.insert(t.order_id, cancelled);
        }

        let now = format_ts(Utc::now());
        let target_state = action.target();
        let rule_json = extras.rule.as_ref().map(serde_json::to_string).transpose()?;
        let decide = format!(
            "UPDATE lines SET state = ?, state_changed_at = ?, decided_by_rule = ?,
                bound_offer = CASE WHEN ? THEN ? ELSE bound_offer END,
                shop_status_id = CASE WHEN ? THEN {first} END
             WHERE id = ?",
            first = crate::shop_statuses::first_new_status()
        );
        for t in &targets {
            let binding = extras.bindings.get(&t.line_id);
            sqlx::query(&decide)
                .bind(target_state.as_str())
                .bind(&now)
                .bind(&rule_json)
                .bind(binding.is_some())
                .bind(binding.map(serde_json::to_string).transpose()?)
                .bind(action == TriageAction::Accept)
                .bind(t.line_id)
                .execute(&mut *tx)
                .await?;
            if let Some(b) = binding {
                remember_sku(&mut tx, t.line_id, b, &now).await?;
            }
            let event = describe(&t.name, action, extras.rule.as_ref(), binding);
            insert_event(
                &mut tx,
                NewEvent {
                    account_id: Some(t.account_id),
                    order_id: Some(t.order_id),
                    line_id: Some(t.line_id),
                    actor,
                    event: &event,
                },
            )
            .await?;
        }

        let mut report = TriageReport {
            changed: ids.iter().copied().collect(),
            outbox_rows: vec![],
        };
        let changed: BTreeSet<i64> = ids;
        // Read once per account, not once per order: a bulk accept spans a page of orders.
        let mut policies = BTreeMap::new();
        for t in &targets {
            if let std::collections::btree_map::Entry::Vacant(e) = policies.entry(t.account_id) {
                e.insert(crate::account_options::account_policy(&mut tx, t.account_id).await?);
            }
        }
        for (order_id, cancelled) in cancelled_orders {
            let account_id = targets
                .iter()
                .find(|t| t.order_id == order_id)
                .map(|t| t.account_id)
                .unwrap_or_default();
            let policy = &policies[&account_id];
            if action == TriageAction::Accept {
                let shaping = policy.shop_order.as_ref();
                // A fixed customer takes every order; otherwise match or create one as usual.
                let customer_id = match shaping.as_ref().and_then(|s| s.fixed_customer_id) {
                    Some(fixed) => Some(fixed),
                    None => link_customer(&mut tx, order_id, extras.move_customer_region).await?,
                };
                let (shop_order_id, created) =
                    place_on_shop_order(&mut tx, order_id, customer_id, &changed, &now).await?;
                if let (true, Some(s)) = (created, shaping) {
                    crate::account_options::shape_new_shop_order(&mut tx, shop_order_id, order_id, s).await?;
                }
            }
            refresh_from_lines(&mut tx, order_id).await?;
            let send_at = extras
                .hold
                .map(|h| format_ts(Utc::now() + h))
                .unwrap_or_else(|| now.clone());
            if extras.made_elsewhere {
                continue;
            }
            let rows = plan_and_queue(
                &mut tx,
                (account_id, policy),
                order_id,
                cancelled,
                action,
                &changed,
                actor,
                (&now, &send_at),
                extras,
            )
            .await?;
            report.outbox_rows.extend(rows);
        }
        tx.commit().await?;
        Ok(report)
    }
}

impl Store {
    /// Takes decisions back while their marketplace calls are unsent: the lines return to the
    /// inbox and the calls queued with them are dropped, all or nothing.
    pub async fn undo_triage(&self, line_ids: &[i64], actor: &str) -> Result<Vec<i64>> {
        if line_ids.is_empty() {
            return Err(AppError::refused(ErrorWords::NothingSelected { thing: Thing::Line }).into());
        }
        let mut tx = self.begin_write().await?;
        // A decision is undone whole: every line of the order decided in the same stroke, since
        // the calls it queued (one ship for several lines) belong to all of them.
        let mut ids: BTreeSet<i64> = line_ids.iter().copied().collect();
        for id in line_ids {
            let same: Vec<i64> = sqlx::query_scalar(
                "SELECT o.id FROM lines o JOIN lines l ON l.order_id = o.order_id AND l.state_changed_at = o.state_changed_at
                 WHERE l.id = ? AND o.state != 'new' AND l.state != 'new'",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            ids.extend(same);
        }
        let targets = load_targets(&mut tx, &ids).await?;
        if targets.len() != ids.len() {
            return Err(AppError::said(
                ErrorCode::NotFound,
                ErrorWords::NoLongerExist { thing: Thing::Line },
            )
            .into());
        }
        // The calls a decision queued carry its time: the same `now` stamps both.
        let mut decided = Vec::with_capacity(targets.len());
        for t in targets {
            let at: Option<String> = sqlx::query_scalar("SELECT state_changed_at FROM lines WHERE id = ?")
                .bind(t.line_id)
                .fetch_one(&mut *tx)
                .await?;
            decided.push((t, at));
        }
        // The latest decision first: taking back two decisions of one order together drops the
        // later one's calls before the earlier one looks for calls queued after it.
        decided.sort_by(|(a, at_a), (b, at_b)| at_b.cmp(at_a).then(a.line_id.cmp(&b.line_id)));
        for (t, decided_at) in &decided {
            let (number, read_only): (String, bool) =
                sqlx::query_as("SELECT number, read_only FROM orders WHERE id = ?")
                    .bind(t.order_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if read_only {
                return Err(read_only_error(&number).into());
            }
            if t.from == LineState::New {
                return Err(AppError::said(
                    ErrorCode::InvalidTransition,
                    ErrorWords::LineAlreadyInInbox { name: t.name.clone() },
                )
                .into());
            }
            // A later decision on the order may have queued a call carrying this line too (a ship
            // of every accepted line once the last one is decided): left alone it would still go.
            let later: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE order_id = ? AND created_at > ?")
                    .bind(t.order_id)
                    .bind(decided_at)
                    .fetch_one(&mut *tx)
                    .await?;
            if later > 0 {
                return Err(AppError::said(
                    ErrorCode::InvalidTransition,
                    ErrorWords::LaterDecisionOnOrder { name: t.name.clone() },
                )
                .into());
            }
            let sent: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM outbox WHERE order_id = ? AND created_at = ? AND (state != 'pending' OR attempts > 0)",
            )
            .bind(t.order_id)
            .bind(decided_at)
            .fetch_one(&mut *tx)
            .await?;
            if sent > 0 {
                return Err(AppError::said(
                    ErrorCode::InvalidTransition,
                    ErrorWords::LineAlreadySent { name: t.name.clone() },
                )
                .into());
            }
            sqlx::query("DELETE FROM outbox WHERE order_id = ? AND created_at = ? AND state = 'pending'")
                .bind(t.order_id)
                .bind(decided_at)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE lines SET state = 'new', state_changed_at = ?, decided_by_rule = NULL, bound_offer = NULL,
                    shop_order_id = NULL, shop_status_id = NULL WHERE id = ?",
            )
            .bind(format_ts(Utc::now()))
            .bind(t.line_id)
            .execute(&mut *tx)
            .await?;
            // A shop order left without lines was made by this decision alone.
            sqlx::query(
                "DELETE FROM shop_orders WHERE source_order_id = ?
                   AND NOT EXISTS (SELECT 1 FROM lines WHERE shop_order_id = shop_orders.id)",
            )
            .bind(t.order_id)
            .execute(&mut *tx)
            .await?;
            refresh_from_lines(&mut tx, t.order_id).await?;
            if let Some(decided_at) = decided_at {
                forget_customer_made_by(&mut tx, t.order_id, decided_at).await?;
                restore_sku_binding(&mut tx, t.line_id, decided_at).await?;
            }
            let event = TimelineEvent::Undo {
                line: t.name.clone(),
                from: t.from,
            };
            insert_event(
                &mut tx,
                NewEvent {
                    account_id: Some(t.account_id),
                    order_id: Some(t.order_id),
                    line_id: Some(t.line_id),
                    actor,
                    event: &event,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ids.into_iter().collect())
    }
}

/// Deletes the customer the undone decision created for the order, once nothing holds it: left
/// behind, it would stand in Customers with no order, and a correction of the buyer's details
/// before the next accept would match it instead of making the customer afresh.
async fn forget_customer_made_by(conn: &mut SqliteConnection, order_id: i64, decided_at: &str) -> Result<()> {
    let made: Option<i64> = sqlx::query_scalar(
        "SELECT c.id FROM orders o JOIN customers c ON c.id = o.customer_id
         WHERE o.id = ? AND c.created_at >= ?
           AND NOT EXISTS (SELECT 1 FROM shop_orders s WHERE s.customer_id = c.id)
           AND NOT EXISTS (SELECT 1 FROM orders x WHERE x.customer_id = c.id AND x.id != o.id)",
    )
    .bind(order_id)
    .bind(decided_at)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(customer) = made {
        sqlx::query("UPDATE orders SET customer_id = NULL WHERE id = ?")
            .bind(order_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM customers WHERE id = ?")
            .bind(customer)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Puts the line's SKU back on what it was bound to before the undone accept bound it (or on
/// nothing), unless a later accept has bound it since.
async fn restore_sku_binding(conn: &mut SqliteConnection, line_id: i64, decided_at: &str) -> Result<()> {
    let key = "account_id = (SELECT account_id FROM lines WHERE id = ?1)
           AND sku = (SELECT sku FROM lines WHERE id = ?1) AND updated_at = ?2";
    sqlx::query(&format!(
        "DELETE FROM sku_mappings WHERE {key} AND prior_updated_at IS NULL"
    ))
    .bind(line_id)
    .bind(decided_at)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "UPDATE sku_mappings SET brand_key = prior_brand_key, article_key = prior_article_key,
            updated_at = prior_updated_at, prior_brand_key = NULL, prior_article_key = NULL,
            prior_updated_at = NULL
         WHERE {key}"
    ))
    .bind(line_id)
    .bind(decided_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Why a line of an order the marketplace fulfils itself takes no decision.
fn read_only_error(number: &str) -> AppError {
    AppError::said(
        ErrorCode::InvalidTransition,
        ErrorWords::OrderReadOnly {
            number: number.to_string(),
        },
    )
}

fn describe(
    line: &str,
    action: TriageAction,
    rule: Option<&RuleDecision>,
    offer: Option<&BoundOffer>,
) -> TimelineEvent {
    let line = line.to_string();
    let rule = rule.and_then(RuleDecision::rule_name).map(str::to_string);
    match action {
        TriageAction::Accept => TimelineEvent::Accept {
            line,
            rule,
            offer_brand: offer.map(|o| o.brand.clone()),
            offer_article: offer.map(|o| o.article.clone()),
            offer_list: offer.map(|o| o.list.clone()),
            offer_price: offer.map(|o| o.price.to_string()),
            offer_quantity: offer.map(|o| o.quantity),
        },
        TriageAction::Reject => TimelineEvent::Reject { line, rule },
        TriageAction::Delete => TimelineEvent::Delete { line, rule },
        TriageAction::Restore => TimelineEvent::Restore { line, rule },
    }
}

/// The next line with this SKU finds the same brand + article without asking.
async fn remember_sku(
    conn: &mut SqliteConnection,
    line_id: i64,
    offer: &BoundOffer,
    now: &str,
) -> Result<()> {
    // The binding it replaces is kept for undo (migration 0034); a second line of the same SKU
    // in the same decision keeps the one from before that decision.
    sqlx::query(
        "INSERT INTO sku_mappings (account_id, sku, brand_key, article_key, updated_at)
         SELECT o.account_id, l.sku, ?, ?, ? FROM lines l JOIN orders o ON o.id = l.order_id WHERE l.id = ?
         ON CONFLICT (account_id, sku) DO UPDATE SET
            prior_brand_key = IIF(updated_at = excluded.updated_at, prior_brand_key, brand_key),
            prior_article_key = IIF(updated_at = excluded.updated_at, prior_article_key, article_key),
            prior_updated_at = IIF(updated_at = excluded.updated_at, prior_updated_at, updated_at),
            brand_key = excluded.brand_key, article_key = excluded.article_key,
            updated_at = excluded.updated_at",
    )
    .bind(brand_key(&offer.brand))
    .bind(article_key(&offer.article))
    .bind(now)
    .bind(line_id)
    .execute(conn)
    .await?;
    Ok(())
}

async fn load_targets(conn: &mut SqliteConnection, ids: &BTreeSet<i64>) -> Result<Vec<Target>> {
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT l.id, l.order_id, o.account_id, l.name, l.state, l.removed_by_marketplace
         FROM lines l JOIN orders o ON o.id = l.order_id
         WHERE l.id IN (",
    );
    let mut sep = q.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    q.push(") ORDER BY l.id");
    q.build()
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Target {
                line_id: r.get("id"),
                order_id: r.get("order_id"),
                account_id: r.get("account_id"),
                name: r.get("name"),
                from: LineState::parse(r.get("state"))?,
                removed: r.get("removed_by_marketplace"),
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn plan_and_queue(
    conn: &mut SqliteConnection,
    (account_id, account_policy): (i64, &AccountPolicy),
    order_id: i64,
    cancelled: bool,
    action: TriageAction,
    changed: &BTreeSet<i64>,
    actor: &str,
    (now, send_at): (&str, &str),
    extras: &TriageExtras,
) -> Result<Vec<i64>> {
    if account_policy.decisions_stay_local {
        return Ok(vec![]);
    }
    if account_policy.decides_by_line_status {
        if cancelled {
            return Ok(vec![]);
        }
        let order_lines: BTreeSet<i64> = sqlx::query_scalar("SELECT id FROM lines WHERE order_id = ?")
            .bind(order_id)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .filter(|id| changed.contains(id))
            .collect();
        return crate::pushes::plan_decision_pushes(
            conn,
            (account_id, order_id),
            action,
            &order_lines,
            actor,
            (now, send_at),
            extras.lang,
        )
        .await;
    }
    let (default_reason, ship_on_accept) =
        crate::account_options::account_cancel_reason(conn, account_id).await?;
    let policy = TriagePolicy {
        ship_on_accept,
        cancel_reason: extras.cancel_reason.clone().unwrap_or(default_reason),
    };
    let (external_id, actions): (String, Option<String>) =
        sqlx::query_as("SELECT external_id, available_actions FROM orders WHERE id = ?")
            .bind(order_id)
            .fetch_one(&mut *conn)
            .await?;
    let actions: Vec<String> = actions
        .as_deref()
        .map(serde_json::from_str)
        .transpose()?
        .unwrap_or_default();
    let can_ship = ship_allowed(&actions);
    // Lines the marketplace removed are not part of the order any more.
    let lines: Vec<LineAfter> = sqlx::query(
        "SELECT id, sku, quantity, state FROM lines WHERE order_id = ? AND removed_by_marketplace = 0 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let id: i64 = r.get("id");
        Ok(LineAfter {
            line_id: id,
            sku: r.get("sku"),
            quantity: r.get("quantity"),
            state: LineState::parse(r.get("state"))?,
            changed: changed.contains(&id),
        })
    })
    .collect::<Result<_>>()?;

    let mut rows = Vec::new();
    for effect in plan_effects(&external_id, cancelled, &lines, action, &policy)
        .into_iter()
        .filter(|e| can_ship || !matches!(e, Effect::Ship { .. }))
    {
        if let Some(id) = queue_effect(conn, account_id, order_id, &effect, actor, (now, send_at)).await? {
            rows.push(id);
        }
    }
    Ok(rows)
}

/// Puts an accepted order on the customer with the same phone or e-mail, or on a new one.
async fn link_customer(conn: &mut SqliteConnection, order_id: i64, move_region: bool) -> Result<Option<i64>> {
    let r = sqlx::query(
        "SELECT customer_id, buyer_name, buyer_phone, buyer_email, buyer_address, buyer_address_parts, region,
            buyer_first_name, buyer_last_name
         FROM orders WHERE id = ?",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await?;
    if let Some(id) = r.get::<Option<i64>, _>("customer_id") {
        return Ok(Some(id));
    }
    let name: Option<String> = r.get("buyer_name");
    let phone = r.get::<Option<&str>, _>("buyer_phone").and_then(normalize_phone);
    let email = r.get::<Option<&str>, _>("buyer_email").and_then(normalize_email);
    let address: Option<String> = r.get("buyer_address");
    let address_parts: Option<String> = r.get("buyer_address_parts");
    let region: Option<String> = r
        .get::<Option<String>, _>("region")
        .filter(|s| !s.trim().is_empty());
    if name.as_deref().is_none_or(|n| n.trim().is_empty()) && phone.is_none() && email.is_none() {
        return Ok(None);
    }
    let buyer = Buyer {
        name,
        first_name: r.get("buyer_first_name"),
        last_name: r.get("buyer_last_name"),
        phone,
        email,
        address,
        address_parts,
        region: region.clone().unwrap_or_default(),
    };
    let (customer_id, old_region) = find_or_add_customer(conn, &buyer).await?;
    if let Some(old_region) = old_region {
        if let Some(region) = region.as_deref().filter(|r| move_region && *r != old_region) {
            sqlx::query("UPDATE customers SET region = ? WHERE id = ?")
                .bind(region)
                .bind(customer_id)
                .execute(&mut *conn)
                .await?;
            let event = TimelineEvent::CustomerRegion {
                from: old_region.clone(),
                to: region.to_string(),
            };
            insert_event(
                conn,
                NewEvent {
                    account_id: None,
                    order_id: Some(order_id),
                    line_id: None,
                    actor: "triage",
                    event: &event,
                },
            )
            .await?;
        }
    }
    sqlx::query("UPDATE orders SET customer_id = ? WHERE id = ?")
        .bind(customer_id)
        .bind(order_id)
        .execute(conn)
        .await?;
    Ok(Some(customer_id))
}
