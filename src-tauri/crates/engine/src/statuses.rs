//! Shop statuses and what each account sends to its marketplace when a line reaches one.

use std::collections::BTreeMap;

use ordertray_connectors::push_capabilities;
use ordertray_core::statuses::{ShopStatus, StatusChangeReport};
use ordertray_core::templates::{check, problems, render, PushSettings, PushTemplates};
use ordertray_core::{AccountId, AppError, EngineEvent};

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
        let capabilities = push_capabilities(account.kind);
        Ok(PushSettings {
            account_id,
            problems: problems(&templates, &capabilities),
            templates,
            capabilities,
        })
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
            check(text).map_err(|e| AppError::invalid(format!("Template «{text}»: {e}")))?;
        }
        self.0.store.account(account_id).await?;
        self.0.store.save_push_templates(account_id, templates).await?;
        self.push_settings(account_id).await
    }

    /// A comment template filled with a real line's values, or why it cannot be.
    pub async fn preview_template(&self, line_id: i64, status_id: i64, template: &str) -> Result<String> {
        let values: BTreeMap<String, String> = self.0.store.template_values(line_id, status_id).await?;
        render(template, &values).map_err(|e| AppError::invalid(e.to_string()))
    }

    /// Moves accepted lines to a shop status; the account's settings decide what goes out.
    pub async fn set_line_status(&self, lines: &[i64], status_id: i64) -> Result<StatusChangeReport> {
        let accounts = self.0.store.accounts().await?;
        let caps = |account_id: AccountId| {
            accounts
                .iter()
                .find(|a| a.id == account_id)
                .map(|a| push_capabilities(a.kind))
                .unwrap_or_default()
        };
        let change = self
            .0
            .store
            .set_line_status(lines, status_id, &self.0.actor, &caps)
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
