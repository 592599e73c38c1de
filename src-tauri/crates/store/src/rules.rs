//! Each account's ordered automatic-processing rules and whether they run.

use ordertray_core::rules::{Rule, RuleSet};
use ordertray_core::{AccountId, AppError};
use ordertray_core::{ErrorWords, Thing};
use sqlx::Row;

use crate::{Result, Store};

impl Store {
    pub async fn rule_set(&self, account_id: AccountId) -> Result<RuleSet> {
        let enabled: Option<bool> = sqlx::query_scalar("SELECT auto_rules FROM accounts WHERE id = ?")
            .bind(account_id)
            .fetch_optional(&self.pool)
            .await?;
        let enabled = enabled.ok_or_else(|| AppError::missing(Thing::Account, account_id))?;
        let rules = sqlx::query(
            "SELECT id, name, enabled, conditions, action FROM rules WHERE account_id = ? ORDER BY position, id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Rule {
                id: r.get("id"),
                name: r.get("name"),
                enabled: r.get("enabled"),
                conditions: serde_json::from_str(r.get("conditions"))?,
                action: serde_json::from_str(r.get("action"))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(RuleSet {
            account_id,
            enabled,
            rules,
        })
    }

    /// Replaces the account's rules with `set.rules` in their order; returns them with their ids.
    pub async fn save_rule_set(&self, set: &RuleSet) -> Result<RuleSet> {
        for rule in &set.rules {
            if rule.name.trim().is_empty() {
                return Err(AppError::refused(ErrorWords::NameEmpty { thing: Thing::Rule }).into());
            }
        }
        let mut tx = self.begin_write().await?;
        let found = sqlx::query("UPDATE accounts SET auto_rules = ? WHERE id = ?")
            .bind(set.enabled)
            .bind(set.account_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if found == 0 {
            return Err(AppError::missing(Thing::Account, set.account_id).into());
        }
        let kept: Vec<i64> = set.rules.iter().map(|r| r.id).filter(|id| *id > 0).collect();
        let existing: Vec<i64> = sqlx::query_scalar("SELECT id FROM rules WHERE account_id = ?")
            .bind(set.account_id)
            .fetch_all(&mut *tx)
            .await?;
        for id in existing.iter().filter(|id| !kept.contains(id)) {
            sqlx::query("DELETE FROM rules WHERE id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        for (position, rule) in set.rules.iter().enumerate() {
            let conditions = serde_json::to_string(&rule.conditions)?;
            let action = serde_json::to_string(&rule.action)?;
            if existing.contains(&rule.id) {
                sqlx::query(
                    "UPDATE rules SET position = ?, name = ?, enabled = ?, conditions = ?, action = ? WHERE id = ?",
                )
                .bind(position as i64)
                .bind(rule.name.trim())
                .bind(rule.enabled)
                .bind(&conditions)
                .bind(&action)
                .bind(rule.id)
                .execute(&mut *tx)
                .await?;
            } else {
                sqlx::query(
                    "INSERT INTO rules (account_id, position, name, enabled, conditions, action) VALUES (?, ?, ?, ?, ?, ?)",
                )
                .bind(set.account_id)
                .bind(position as i64)
                .bind(rule.name.trim())
                .bind(rule.enabled)
                .bind(&conditions)
                .bind(&action)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        self.rule_set(set.account_id).await
    }
}
