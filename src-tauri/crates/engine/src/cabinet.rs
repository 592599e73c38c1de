//! The All-orders cabinet: reading it, orders made and edited by hand, statuses, types, deletion.

use chrono::Local;
use ordertray_core::cabinet::{
    default_number, CabinetCharts, CabinetRow, CabinetStats, DraftProblem, EditPreview, OrderFilter,
    OrderPage, OrderPageQuery, OrderType, ShopOrderDraft, ShopOrderFull,
};
use ordertray_core::delivery::{DeliveryMethod, DeliveryQuote};
use ordertray_core::statuses::{StatusChangeReport, TRANSFERRED};
use ordertray_core::timeline::TimelineEvent;
use ordertray_core::{AppError, EngineEvent, ErrorCode, ErrorWords, Thing};

use crate::{Engine, Result};

impl Engine {
    pub async fn cabinet_page(&self, query: &OrderPageQuery) -> Result<OrderPage> {
        Ok(self.0.store.cabinet_page(query).await?)
    }

    /// A whole page, however many reads a short search takes (see `Store::cabinet_rows`).
    pub async fn cabinet_rows(&self, query: &OrderPageQuery) -> Result<Vec<CabinetRow>> {
        Ok(self.0.store.cabinet_rows(query).await?)
    }

    pub async fn cabinet_stats(&self, filter: &OrderFilter) -> Result<CabinetStats> {
        Ok(self.0.store.cabinet_stats(filter).await?)
    }

    pub async fn cabinet_charts(&self, filter: &OrderFilter) -> Result<CabinetCharts> {
        Ok(self.0.store.cabinet_charts(filter).await?)
    }

    pub async fn shop_order_full(&self, id: i64) -> Result<ShopOrderFull> {
        Ok(self.0.store.shop_order_full(id).await?)
    }

    /// An order by its number or id, as the CLI names one.
    pub async fn find_shop_order(&self, number_or_id: &str) -> Result<ShopOrderFull> {
        match self.0.store.shop_order_by_number_or_id(number_or_id).await? {
            Some(id) => self.shop_order_full(id).await,
            None => Err(AppError::missing(
                Thing::Order,
                format!("«{}»", number_or_id.trim()),
            )),
        }
    }

    /// A blank hand-made order numbered by its creation time (the manager's clock).
    pub fn new_order_draft(&self) -> ShopOrderDraft {
        ShopOrderDraft {
            number: default_number(Local::now().fixed_offset()),
            ..ShopOrderDraft::empty()
        }
    }

    /// The problems the form shows, on the draft as it would be saved (with its delivery
    /// method's rules).
    pub async fn validate_order(&self, draft: &ShopOrderDraft) -> Result<Vec<DraftProblem>> {
        let methods = self.settings().await?.delivery_methods;
        Ok(draft
            .clone()
            .normalized()
            .following_method(&methods)
            .problems_with(&methods))
    }

    /// What each delivery method costs an order of this weight, in the shop's order of methods.
    pub async fn delivery_quotes(&self, weight_g: i64) -> Result<Vec<DeliveryQuote>> {
        let methods = self.settings().await?.delivery_methods;
        Ok(methods
            .iter()
            .map(|m| DeliveryQuote {
                method_id: m.id.clone(),
                cost: m.cost(weight_g),
            })
            .collect())
    }

    pub async fn create_shop_order(&self, draft: ShopOrderDraft) -> Result<ShopOrderFull> {
        let methods = self.settings().await?.delivery_methods;
        let mut draft = draft.normalized().following_method(&methods);
        if draft.number.is_empty() {
            draft.number = default_number(Local::now().fixed_offset());
        }
        refuse_problems(&draft, &methods)?;
        let id = self.0.store.create_shop_order(&draft, &self.0.actor).await?;
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        self.shop_order_full(id).await
    }

    /// What saving the edit would do to weight, delivery cost and total: a delivery method with
    /// a tariff is re-priced when the weight or the method changes.
    pub async fn preview_order_edit(&self, id: i64, draft: &ShopOrderDraft) -> Result<EditPreview> {
        let before = self.0.store.shop_order_without_timeline(id).await?.draft;
        let methods = self.settings().await?.delivery_methods;
        let after = repriced(
            &before,
            draft.clone().normalized().following_method(&methods),
            &methods,
        );
        Ok(EditPreview {
            weight_before_g: before.weight_g,
            weight_after_g: after.weight_g,
            delivery_cost_before: before.delivery_cost,
            delivery_cost_after: after.delivery_cost,
            total_before: before.total(),
            total_after: after.total(),
            needs_confirmation: after.delivery_cost != before.delivery_cost,
        })
    }

    /// Saves an edit; one that changes the delivery cost needs `confirmed` (the form showed the
    /// recalculated figures first).
    pub async fn update_shop_order(
        &self,
        id: i64,
        draft: ShopOrderDraft,
        confirmed: bool,
    ) -> Result<ShopOrderFull> {
        let before = self.0.store.shop_order_without_timeline(id).await?.draft;
        let methods = self.settings().await?.delivery_methods;
        let mut after = repriced(&before, draft.normalized().following_method(&methods), &methods);
        if after.number.is_empty() {
            after.number = before.number.clone();
        }
        refuse_problems(&after, &methods)?;
        // An item made from an accepted marketplace line follows that line: removed here, the
        // next refresh from the lines would put it back (and the total with it).
        if let Some(kept) = before
            .items
            .iter()
            .find(|b| b.line_id.is_some() && !after.items.iter().any(|a| a.line_id == b.line_id))
        {
            return Err(AppError::refused(ErrorWords::ItemFollowsMarketplaceLine {
                name: kept.name.clone(),
            }));
        }
        if after.delivery_cost != before.delivery_cost && !confirmed {
            return Err(AppError::said(
                ErrorCode::NeedsConfirmation,
                ErrorWords::DeliveryCostChanges {
                    from: before.delivery_cost.round_dp(2).to_string(),
                    to: after.delivery_cost.round_dp(2).to_string(),
                },
            ));
        }
        let event = describe_edit(&before, &after);
        self.0
            .store
            .update_shop_order(id, &after, &self.0.actor, &event)
            .await?;
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        self.shop_order_full(id).await
    }

    /// Sets an order's tracking number; for a marketplace order the seller delivers it is sent
    /// to the marketplace (when its integration takes tracking numbers).
    pub async fn set_tracking_number(&self, id: i64, tracking: &str) -> Result<ShopOrderFull> {
        if tracking.trim().chars().count() > 64 {
            return Err(AppError::refused(ErrorWords::TooLong {
                field: "tracking_number".into(),
                label: "A tracking number".into(),
                max: 64,
            }));
        }
        self.0
            .store
            .set_tracking_number(id, tracking, &self.0.actor)
            .await?;
        self.0.outbox_wake.notify_one();
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        self.shop_order_full(id).await
    }

    /// The shop order screen's tracking number for an order from a marketplace: refused with
    /// the reason when the marketplace would not take it (an integration that takes none, an
    /// order the marketplace fulfils or delivers itself, an empty number); otherwise saved and
    /// queued for the marketplace.
    pub async fn send_tracking_number(&self, id: i64, tracking: &str) -> Result<ShopOrderFull> {
        let target = self.0.store.tracking_target(id).await?;
        let number = target.external_id.as_deref().unwrap_or_default();
        let Some(back) = target.back.as_ref().filter(|_| !number.is_empty()) else {
            return Err(AppError::refused(ErrorWords::TrackingNotTaken {}));
        };
        if target.read_only {
            return Err(AppError::refused(ErrorWords::TrackingRefused {
                number: number.to_string(),
                read_only: true,
                detail: back.read_only_refusal.replace("{number}", number),
            }));
        }
        if !target.seller_delivers {
            return Err(AppError::refused(ErrorWords::TrackingRefused {
                number: number.to_string(),
                read_only: false,
                detail: back.other_delivery_refusal.replace("{number}", number),
            }));
        }
        if tracking.trim().is_empty() {
            return Err(AppError::refused(ErrorWords::TrackingEmpty {}));
        }
        self.set_tracking_number(id, tracking).await
    }

    /// Moves orders to a status by hand. Orders made from marketplace lines move their accepted
    /// lines too (which sends what the account configured); Transferred is set only by a transfer.
    pub async fn set_shop_order_status(&self, ids: &[i64], status_id: i64) -> Result<StatusChangeReport> {
        if ids.is_empty() {
            return Err(AppError::refused(ErrorWords::NothingSelected {
                thing: Thing::Order,
            }));
        }
        let statuses = self.0.store.shop_statuses().await?;
        let status = statuses
            .iter()
            .find(|s| s.id == status_id)
            .ok_or_else(|| AppError::missing(Thing::Status, status_id))?;
        if status.code.as_deref() == Some(TRANSFERRED) {
            return Err(AppError::said(
                ErrorCode::InvalidTransition,
                ErrorWords::TransferredByHand {},
            ));
        }
        self.0.store.shop_order_facts(ids).await?;
        self.0
            .store
            .set_shop_order_status(
                ids,
                status_id,
                (&status.name, status.code.as_deref()),
                &self.0.actor,
            )
            .await?;
        let lines = self.0.store.accepted_lines_of(ids).await?;
        let report = if lines.is_empty() {
            StatusChangeReport::default()
        } else {
            self.set_line_status(&lines, status_id).await?
        };
        // A target's rule may send orders in this status.
        self.0.outbox_wake.notify_one();
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        Ok(report)
    }

    pub async fn set_order_type(&self, ids: &[i64], order_type: OrderType) -> Result<()> {
        self.0.store.shop_order_facts(ids).await?;
        self.0
            .store
            .set_order_type(ids, order_type, &self.0.actor)
            .await?;
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        Ok(())
    }

    /// Delete: the orders go to the Deleted status (nothing is sent to marketplaces).
    pub async fn delete_shop_orders(&self, ids: &[i64], remove_links: bool) -> Result<()> {
        if ids.is_empty() {
            return Err(AppError::refused(ErrorWords::NothingSelected {
                thing: Thing::Order,
            }));
        }
        self.0.store.shop_order_facts(ids).await?;
        self.0
            .store
            .delete_shop_orders(ids, remove_links, &self.0.actor)
            .await?;
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        Ok(())
    }

    pub async fn purge_shop_orders(&self, ids: &[i64]) -> Result<u64> {
        let removed = self.0.store.purge_shop_orders(ids).await?;
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        Ok(removed)
    }
}

/// The edit with its delivery re-priced by the method's tariff when the weight or the method changed.
fn repriced(
    before: &ShopOrderDraft,
    mut after: ShopOrderDraft,
    methods: &[DeliveryMethod],
) -> ShopOrderDraft {
    let changed = after.weight_g != before.weight_g || after.delivery_method != before.delivery_method;
    if changed {
        if let Some(m) = after.method(methods) {
            after.delivery_cost = m.cost(after.weight_g);
        }
    }
    after
}

fn refuse_problems(draft: &ShopOrderDraft, methods: &[DeliveryMethod]) -> Result<()> {
    let problems = draft.problems_with(methods);
    if problems.is_empty() {
        return Ok(());
    }
    Err(AppError::refused(ErrorWords::OrderProblems { problems }))
}

/// "Edited: recipient, items, delivery" — which parts of the order an edit touched.
fn describe_edit(before: &ShopOrderDraft, after: &ShopOrderDraft) -> TimelineEvent {
    let changed = |a, b| a != b;
    let number = changed(&before.number, &after.number);
    let weight = (
        before.weight_g,
        before.length_cm,
        before.width_cm,
        before.height_cm,
    ) != (after.weight_g, after.length_cm, after.width_cm, after.height_cm);
    let delivery =
        before.delivery_method != after.delivery_method || before.delivery_cost != after.delivery_cost;
    let delivery_words =
        |d: &ShopOrderDraft| format!("{} {}", d.delivery_method, d.delivery_cost.round_dp(2));
    let event = TimelineEvent::OrderEdited {
        number_from: number.then(|| before.number.clone()),
        number_to: number.then(|| after.number.clone()),
        preorder_completed: before.preorder && !after.preorder,
        tracking: changed(&before.tracking_number, &after.tracking_number)
            .then(|| after.tracking_number.clone()),
        recipient: before.recipient != after.recipient,
        items: before.items != after.items,
        weight_from: weight.then_some(before.weight_g),
        weight_to: weight.then_some(after.weight_g),
        delivery_from: delivery.then(|| delivery_words(before)),
        delivery_to: delivery.then(|| delivery_words(after)),
        payment: (
            before.cod,
            before.paid,
            before.payment_method,
            before.declared_value,
        ) != (after.cod, after.paid, after.payment_method, after.declared_value),
        order_type: (before.order_type != after.order_type).then_some(after.order_type),
    };
    let unchanged = TimelineEvent::OrderEdited {
        number_from: None,
        number_to: None,
        preorder_completed: false,
        tracking: None,
        recipient: false,
        items: false,
        weight_from: None,
        weight_to: None,
        delivery_from: None,
        delivery_to: None,
        payment: false,
        order_type: None,
    };
    if event == unchanged {
        TimelineEvent::OrderUnchanged {}
    } else {
        event
    }
}
