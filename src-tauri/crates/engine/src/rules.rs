//! Automatic processing: the account's rules run over new lines after each sync (when switched
//! on), over the inbox on request, or as a dry run that changes nothing.

use std::collections::HashMap;

use ordertray_core::pricelist::{BoundOffer, OfferBinding, OfferMatch, OfferView};
use ordertray_core::rules::{evaluate, CandidateOffer, LineFacts, RuleDecision, RuleOutcome, RuleSet};
use ordertray_core::{
    AccountId, AppError, CancelReason, ErrorCode, ErrorWords, InboxLine, LineState, TriageAction,
    TriageReport,
};
use ordertray_store::{LineLookup, TriageExtras};

use crate::{Engine, Result};

/// Lines whose offers a dry run looks up in one go: a few queries each, of bounded size.
const OFFER_LOOKUP_BATCH: usize = 1_000;

/// Audit actor of automatic decisions (the rule's name is in each event's message).
pub const RULE_ACTOR: &str = "rule";

fn bound(offer: &OfferView, quantity: i64, price: Option<rust_decimal::Decimal>) -> BoundOffer {
    BoundOffer {
        offer_id: offer.id,
        list_id: offer.list_id,
        list: offer.list.clone(),
        brand: offer.brand.clone(),
        article: offer.article.clone(),
        name: offer.name.clone(),
        price: price.unwrap_or(offer.price),
        quantity,
        delivery_days: offer.delivery_days,
        supplier: offer.supplier.clone(),
    }
}

impl Engine {
    pub async fn rule_set(&self, account_id: AccountId) -> Result<RuleSet> {
        Ok(self.0.store.rule_set(account_id).await?)
    }

    pub async fn save_rule_set(&self, set: &RuleSet) -> Result<RuleSet> {
        Ok(self.0.store.save_rule_set(set).await?)
    }

    /// What each account's rules would do to its inbox now (switched on or not); nothing changes.
    /// The offers are looked up for many lines at once: nothing is decided in between, so each
    /// line sees the same offers it would alone (one lookup per line took 20 s over 100,000 lines).
    pub async fn dry_run_rules(&self, account: Option<AccountId>) -> Result<Vec<RuleOutcome>> {
        let lines = self.inbox_with_rules(account).await?;
        let mut out = Vec::with_capacity(lines.len());
        for chunk in lines.chunks(OFFER_LOOKUP_BATCH) {
            let lookups: Vec<LineLookup> = chunk.iter().map(|(line, _)| LineLookup::from(line)).collect();
            let mut matches = self.0.store.offer_matches(&lookups).await?;
            for (line, set) in chunk {
                out.push(decide(
                    line,
                    set,
                    matches.remove(&line.line.id).unwrap_or_default(),
                ));
            }
        }
        Ok(out)
    }

    /// Applies the rules to the account's inbox now (as the manager asked, switched on or not).
    pub async fn apply_rules(&self, account: AccountId) -> Result<Vec<RuleOutcome>> {
        let lines = self.inbox_with_rules(Some(account)).await?;
        self.apply_to(lines).await
    }

    /// After a sync: the rules of an account that has them switched on, over its new lines.
    pub(crate) async fn apply_rules_after_sync(&self, account: AccountId, orders: &[i64]) {
        let run = async {
            let set = self.0.store.rule_set(account).await?;
            if !set.enabled || set.rules.is_empty() {
                return Ok::<_, AppError>(vec![]);
            }
            let lines = self
                .0
                .store
                .undecided_lines(Some(account), Some(orders))
                .await?
                .into_iter()
                .map(|l| (l, set.clone()))
                .collect();
            self.apply_to(lines).await
        };
        match run.await {
            Ok(done) if !done.is_empty() => {
                tracing::info!(account, lines = done.len(), "rules applied");
                self.announce_rejections(account, &done).await;
            }
            Ok(_) => {}
            // The lines stay in the inbox for the manager; nothing is lost.
            Err(e) => tracing::warn!(account, error = %e, "rules could not run"),
        }
    }

    /// One announcement for the lines the rules rejected (the manager may want to know why).
    async fn announce_rejections(&self, account: AccountId, done: &[RuleOutcome]) {
        let rejected: Vec<&RuleOutcome> = done
            .iter()
            .filter(|o| o.error.is_none() && matches!(o.decision, RuleDecision::Reject { .. }))
            .collect();
        let Some(first) = rejected.first() else {
            return;
        };
        let account = self.0.store.account(account).await.ok();
        let payload = crate::AlertPayload {
            number: first.order_number.clone(),
            order_id: Some(first.order_id),
            detail: first.decision.rule_name().unwrap_or_default().to_string(),
            ..crate::AlertPayload::about(account.as_ref())
        };
        self.alert(
            ordertray_core::alerts::AlertKind::RuleRejected,
            rejected.len(),
            payload,
        )
        .await;
    }

    /// Accepts one line bound to an offer (quantity and price as the list says unless overridden).
    pub async fn accept_with_offer(&self, line_id: i64, binding: &OfferBinding) -> Result<TriageReport> {
        let offer = self
            .0
            .store
            .offer(binding.offer_id)
            .await?
            .ok_or_else(|| AppError::said(ErrorCode::NotFound, ErrorWords::OfferGone {}))?;
        let line = self
            .0
            .store
            .line(line_id)
            .await?
            .filter(|l| l.state == LineState::New)
            .ok_or_else(|| AppError::refused(ErrorWords::LineNotWaiting { line: line_id }))?;
        let quantity = binding.quantity.unwrap_or(line.quantity);
        if quantity <= 0 {
            return Err(AppError::refused(ErrorWords::out_of_range(
                "quantity",
                "The quantity",
                Some(1),
                None,
                None,
            )));
        }
        if binding.price.is_some_and(|p| p.is_sign_negative()) {
            return Err(AppError::refused(ErrorWords::out_of_range(
                "price",
                "The price",
                Some(0),
                None,
                None,
            )));
        }
        let extras = TriageExtras {
            bindings: HashMap::from([(line_id, bound(&offer, quantity, binding.price))]),
            move_customer_region: self.settings().await?.move_customer_region,
            hold: self.undo_hold(),
            ..Default::default()
        };
        self.triage_with(&[line_id], TriageAction::Accept, &extras, None)
            .await
    }

    async fn inbox_with_rules(&self, account: Option<AccountId>) -> Result<Vec<(InboxLine, RuleSet)>> {
        let lines = self.0.store.undecided_lines(account, None).await?;
        let mut sets: HashMap<AccountId, RuleSet> = HashMap::new();
        let mut out = vec![];
        for line in lines.into_iter().filter(|l| !l.marketplace_cancelled) {
            let set = match sets.get(&line.account_id) {
                Some(set) => set.clone(),
                None => {
                    let set = self.0.store.rule_set(line.account_id).await?;
                    sets.insert(line.account_id, set.clone());
                    set
                }
            };
            out.push((line, set));
        }
        Ok(out)
    }

    /// Decides and applies line by line: one line that cannot change does not stop the others.
    async fn apply_to(&self, lines: Vec<(InboxLine, RuleSet)>) -> Result<Vec<RuleOutcome>> {
        let move_region = self.settings().await?.move_customer_region;
        let mut done = vec![];
        for (line, set) in lines {
            // Looked up line by line: an accept before may have bound this line's SKU to an offer.
            let matches = self.0.store.line_offer_matches(line.line.id).await?;
            let mut outcome = decide(&line, &set, matches);
            let (action, extras) = match (&outcome.decision, &outcome.offer) {
                (RuleDecision::Accept { .. }, Some(offer)) => (
                    TriageAction::Accept,
                    TriageExtras {
                        bindings: HashMap::from([(line.line.id, bound(offer, line.line.quantity, None))]),
                        rule: Some(outcome.decision.clone()),
                        move_customer_region: move_region,
                        ..Default::default()
                    },
                ),
                (
                    RuleDecision::Reject {
                        reason_id, message, ..
                    },
                    _,
                ) => (
                    TriageAction::Reject,
                    TriageExtras {
                        rule: Some(outcome.decision.clone()),
                        cancel_reason: reason_id.map(|id| CancelReason {
                            id,
                            message: message.clone().unwrap_or_default(),
                        }),
                        ..Default::default()
                    },
                ),
                _ => continue,
            };
            if let Err(e) = self
                .triage_with(&[line.line.id], action, &extras, Some(RULE_ACTOR))
                .await
            {
                tracing::warn!(line = line.line.id, error = %e, "a rule's decision could not be applied");
                outcome.error = Some(e.message);
            }
            done.push(outcome);
        }
        Ok(done)
    }
}

/// What the rules `set` decide for `line` among the offers that fit it.
fn decide(line: &InboxLine, set: &RuleSet, matches: Vec<OfferMatch>) -> RuleOutcome {
    let candidates: Vec<CandidateOffer> = matches
        .iter()
        .map(|m| CandidateOffer {
            offer_id: m.offer.id,
            list_id: m.offer.list_id,
            brand: m.offer.brand.clone(),
            price: m.offer.price,
            stock: m.offer.stock,
            delivery_days: m.offer.delivery_days,
        })
        .collect();
    let decision = evaluate(
        &set.rules,
        &LineFacts {
            quantity: line.line.quantity,
            unit_price: line.line.price,
            region: line.order_region.as_deref(),
            offers: &candidates,
        },
    );
    let offer = match &decision {
        RuleDecision::Accept { offer_id, .. } => {
            matches.into_iter().map(|m| m.offer).find(|o| o.id == *offer_id)
        }
        _ => None,
    };
    RuleOutcome {
        line_id: line.line.id,
        order_id: line.order_id,
        order_number: line.order_number.clone(),
        account_id: line.account_id,
        line_name: line.line.name.clone(),
        decision,
        offer,
        error: None,
    }
}
