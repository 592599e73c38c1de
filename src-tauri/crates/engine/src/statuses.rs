//! Shop statuses and what each account sends to its marketplace when a line reaches one.

use std::collections::BTreeMap;

use ordertray_connectors::registry;
use ordertray_core::statuses::{status_on_accept, ShopStatus, StatusChangeReport, StatusGroup};
use ordertray_core::templates::{
    check, problems, render, MarketplaceStatus, PushCapabilities, PushSettings, PushTemplates,
};
use ordertray_core::timeline::{NoticeKind, TimelineEvent};
use ordertray_core::{Account, AccountId, AppError, EngineEvent, ErrorWords, TriageAction};

use crate::{Engine, Result};

impl Engine {
    pub async fn shop_statuses(&self) -> Result<Vec<ShopStatus>> {
        Ok(self.0.store.shop_statuses().await?)
    }

    pub async fn save_shop_statuses(&self, list: &[ShopStatus]) -> Result<Vec<ShopStatus>> {
        Ok(self.0.store.save_shop_statuses(list).await?)
    }

    pub async fn push_settings(&self, account_id: AccountId) -> Result<PushSettings> {
        let account = self.0.store.account(account_id).await?;
        let templates = self.0.store.push_templates(account_id).await?;
        let capabilities = self.capabilities(&account).await?;
        Ok(PushSettings {
            account_id,
            problems: problems(&templates, &capabilities),
            templates,
            capabilities,
            loads_statuses: registry::spec(&account.kind).status_dictionary,
        })
    }

    /// What the account's marketplace can be told: the integration's fixed set, or the status
    /// dictionary last loaded for the account.
    pub(crate) async fn capabilities(&self, account: &Account) -> Result<PushCapabilities> {
        let spec = registry::spec(&account.kind);
        if !spec.status_dictionary {
            return Ok((spec.push_capabilities)());
        }
        let dictionary = self.0.store.marketplace_statuses(account.id).await?;
        let fixed = (spec.push_capabilities)();
        if dictionary.is_empty() {
            // Not loaded yet: what every account of the integration takes.
            return Ok(fixed);
        }
        Ok(fixed.with_dictionary(&dictionary, spec.dictionary_per_line))
    }

    /// Loads the marketplace's status list for the account and keeps it; a failed load keeps the
    /// list from before.
    pub async fn refresh_marketplace_statuses(
        &self,
        account_id: AccountId,
    ) -> Result<Vec<MarketplaceStatus>> {
        let account = self.0.store.account(account_id).await?;
        if !registry::spec(&account.kind).status_dictionary {
            return Ok(vec![]);
        }
        let client = self.session(&account).await?;
        let list = match client.effect_sink() {
            Some(sink) => sink.status_dictionary().await.map_err(|e| e.to_app_error())?,
            None => vec![],
        };
        self.0.store.save_marketplace_statuses(account_id, &list).await?;
        Ok(list)
    }

    /// Saves an account's status settings; templates with unknown variables or stray braces are
    /// refused, what the marketplace cannot honour is saved and flagged.
    pub async fn save_push_settings(
        &self,
        account_id: AccountId,
        templates: &PushTemplates,
    ) -> Result<PushSettings> {
        let texts = [&templates.accepted_notice, &templates.refusal_text]
            .into_iter()
            .chain(templates.pushes.iter().map(|p| &p.comment));
        for text in texts {
            check(text).map_err(|e| {
                AppError::refused(ErrorWords::TemplateInvalid {
                    template: text.clone(),
                    detail: e.to_string(),
                })
            })?;
        }
        self.0.store.account(account_id).await?;
        self.0.store.save_push_templates(account_id, templates).await?;
        self.push_settings(account_id).await
    }

    /// A comment template filled with a real line's values, or why it cannot be.
    pub async fn preview_template(&self, line_id: i64, status_id: i64, template: &str) -> Result<String> {
        let values: BTreeMap<String, String> = self
            .0
            .store
            .template_values(line_id, status_id, self.lang())
            .await?;
        render(template, &values).map_err(template_failed)
    }

    /// Moves accepted lines to a shop status; the account's settings decide what goes out.
    pub async fn set_line_status(&self, lines: &[i64], status_id: i64) -> Result<StatusChangeReport> {
        let mut by_account = std::collections::HashMap::new();
        for account in self.0.store.accounts().await? {
            by_account.insert(account.id, self.capabilities(&account).await?);
        }
        let caps = |account_id: AccountId| by_account.get(&account_id).cloned().unwrap_or_default();
        let change = self
            .0
            .store
            .set_line_status(lines, status_id, &self.0.actor, self.lang(), &caps)
            .await?;
        if !change.outbox_rows.is_empty() {
            self.0.outbox_wake.notify_one();
        }
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        Ok(StatusChangeReport {
            changed: change.changed,
            outbox_rows: change.outbox_rows,
            not_sent: change.not_sent,
        })
    }
}

impl Engine {
    /// The account's "accepted" / "unconditional refusal" notice for a decision: what the
    /// marketplace cannot take (a comment, a status it does not know) or a text that cannot be
    /// filled goes on the order's timeline, once per order, instead of vanishing.
    pub(crate) async fn report_decision_notices(&self, lines: &[i64], action: TriageAction, actor: &str) {
        if !matches!(action, TriageAction::Accept | TriageAction::Reject) {
            return;
        }
        if let Err(e) = self.decision_notices(lines, action, actor).await {
            tracing::warn!(error = %e, "decision notices not checked");
        }
    }

    async fn decision_notices(&self, lines: &[i64], action: TriageAction, actor: &str) -> Result<()> {
        // This runs after every decision: accounts without these settings cost one read each.
        let mut templates_of: std::collections::HashMap<AccountId, PushTemplates> = Default::default();
        let mut statuses: Option<Vec<ShopStatus>> = None;
        let mut seen_orders = std::collections::BTreeSet::new();
        for (line, order, account_id) in self.0.store.line_owners(lines).await? {
            if !seen_orders.insert(order) {
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = templates_of.entry(account_id) {
                slot.insert(self.0.store.push_templates(account_id).await?);
            }
            let templates = &templates_of[&account_id];
            let (status_name, text, notice) = match action {
                TriageAction::Accept => (
                    &templates.accepted_status,
                    &templates.accepted_notice,
                    NoticeKind::AcceptedNotice,
                ),
                _ => (
                    &templates.refusal_status,
                    &templates.refusal_text,
                    NoticeKind::RefusalText,
                ),
            };
            if status_name.is_empty() && text.trim().is_empty() {
                continue;
            }
            let account = self.0.store.account(account_id).await?;
            // Marketplaces told per line get these with the decision itself (the store's planner).
            if account.settings.policy()?.decides_by_line_status {
                continue;
            }
            let spec = registry::spec(&account.kind);
            let caps = (spec.push_capabilities)();
            let mut not_sent = vec![];
            let known = caps
                .line_statuses
                .iter()
                .chain(&caps.order_statuses)
                .any(|s| s == status_name);
            if !status_name.is_empty() && !known {
                not_sent.push(TimelineEvent::NoticeStatusUnsupported {
                    marketplace: spec.name.to_string(),
                    status: status_name.clone(),
                    notice,
                });
            }
            if !text.trim().is_empty() {
                if statuses.is_none() {
                    statuses = Some(self.0.store.shop_statuses().await?);
                }
                let all = statuses.as_deref().unwrap_or_default();
                let status = match action {
                    TriageAction::Accept => status_on_accept(all),
                    _ => all.iter().find(|s| s.group == StatusGroup::Refused),
                };
                let filled = match status {
                    Some(s) => self
                        .0
                        .store
                        .template_values(line, s.id, self.lang())
                        .await
                        .map_err(AppError::from)
                        .and_then(|v| render(text, &v).map_err(template_failed)),
                    None => Err(AppError::refused(ErrorWords::NoStatusToWord {})),
                };
                match filled {
                    Err(e) => not_sent.push(TimelineEvent::NoticeTextFailed {
                        notice,
                        error: e.message,
                    }),
                    Ok(_) if !caps.comments => not_sent.push(TimelineEvent::NoticeNoComments {
                        marketplace: spec.name.to_string(),
                        notice,
                    }),
                    // No connector takes comments yet; the first that does sends it here.
                    Ok(_) => {}
                }
            }
            for event in not_sent {
                self.0
                    .store
                    .event(Some(account_id), Some(order), None, actor, &event)
                    .await?;
            }
        }
        Ok(())
    }
}

fn template_failed(e: impl std::fmt::Display) -> AppError {
    AppError::refused(ErrorWords::TemplateFailed {
        detail: e.to_string(),
    })
}
