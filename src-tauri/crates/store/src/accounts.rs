use chrono::{DateTime, Utc};
use ordertray_core::timeline::TimelineEvent;
use ordertray_core::{
    Account, AccountDraft, AccountHealth, AccountId, AccountKind, AccountSettings, AppError, ErrorCode,
    SyncOutcome, SyncReport,
};
use ordertray_core::{ErrorWords, Thing};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::error::{words_from, words_json};
use crate::time::{format_ts, parse_opt, parse_ts};
use crate::{Result, Store, StoreError};

const ACCOUNT_COLUMNS: &str =
    "id, kind, name, region, active, interval_secs, base_url, demo, settings, created_at";

fn account_from_row(r: &SqliteRow) -> Result<Account> {
    let settings: AccountSettings = serde_json::from_str(r.get::<&str, _>("settings"))?;
    // Settings their integration cannot read (an integration this build lacks, a damaged row) are
    // refused here, so whatever is built for an account can rely on them.
    settings.policy()?;
    Ok(Account {
        id: r.get("id"),
        kind: AccountKind::parse(r.get("kind"))?,
        name: r.get("name"),
        region: r.get("region"),
        active: r.get("active"),
        interval_secs: r.get::<i64, _>("interval_secs") as u32,
        base_url: r.get("base_url"),
        demo: r.get("demo"),
        settings,
        created_at: parse_ts(r.get("created_at"))?,
    })
}

fn name_taken(e: StoreError, name: &str) -> StoreError {
    match &e {
        StoreError::Db(msg) if msg.contains("UNIQUE") && msg.contains("accounts.name") => {
            StoreError::App(AppError::said(
                ErrorCode::Conflict,
                ErrorWords::NameTaken {
                    thing: Thing::Account,
                    name: name.to_string(),
                },
            ))
        }
        _ => e,
    }
}

impl Store {
    pub async fn insert_account(&self, draft: &AccountDraft, demo: bool) -> Result<Account> {
        let now = format_ts(Utc::now());
        let id: i64 = sqlx::query_scalar(
            // Past every id ever given (migration 0035), not only past the rows left.
            "INSERT INTO accounts (id, kind, name, region, active, interval_secs, base_url, demo, settings, created_at)
             VALUES ((SELECT MAX(last, (SELECT COALESCE(MAX(id), 0) FROM accounts)) + 1 FROM account_ids),
                ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(draft.settings.kind().as_str())
        .bind(&draft.name)
        .bind(&draft.region)
        .bind(draft.active)
        .bind(draft.interval_secs as i64)
        .bind(&draft.base_url)
        .bind(demo)
        .bind(serde_json::to_string(&draft.settings)?)
        .bind(&now)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| name_taken(e.into(), &draft.name))?;
        self.event(
            Some(id),
            None,
            None,
            "manager",
            &TimelineEvent::AccountAdded {
                name: draft.name.clone(),
            },
        )
        .await?;
        self.account(id).await
    }

    pub async fn update_account(&self, id: AccountId, draft: &AccountDraft) -> Result<Account> {
        let existing = self.account(id).await?;
        if existing.kind != draft.settings.kind() {
            return Err(AppError::refused(ErrorWords::KindUnchangeable {}).into());
        }
        sqlx::query(
            "UPDATE accounts SET name = ?, region = ?, active = ?, interval_secs = ?, base_url = ?, settings = ?
             WHERE id = ?",
        )
        .bind(&draft.name)
        .bind(&draft.region)
        .bind(draft.active)
        .bind(draft.interval_secs as i64)
        .bind(&draft.base_url)
        .bind(serde_json::to_string(&draft.settings)?)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(|e| name_taken(e.into(), &draft.name))?;
        self.event(Some(id), None, None, "manager", &TimelineEvent::AccountEdited {})
            .await?;
        self.account(id).await
    }

    /// Moves a demo account to the address its simulated marketplace got in this run.
    pub async fn set_base_url(&self, id: AccountId, base_url: &str) -> Result<()> {
        sqlx::query("UPDATE accounts SET base_url = ? WHERE id = ?")
            .bind(base_url)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_account_active(&self, id: AccountId, active: bool) -> Result<()> {
        let done = sqlx::query("UPDATE accounts SET active = ?, next_poll_at = NULL WHERE id = ?")
            .bind(active)
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(AppError::missing(Thing::Account, id).into());
        }
        let event = if active {
            TimelineEvent::AccountEnabled {}
        } else {
            TimelineEvent::AccountDisabled {}
        };
        self.event(Some(id), None, None, "manager", &event).await
    }

    /// Deletes the account with its orders, lines, events and outbox rows, and the customers its
    /// orders alone brought (none that a shop order, another account's order or the manager's
    /// own hand keeps).
    pub async fn delete_account(&self, id: AccountId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let brought: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT customer_id FROM orders WHERE account_id = ? AND customer_id IS NOT NULL",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let done = sqlx::query("DELETE FROM accounts WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(AppError::missing(Thing::Account, id).into());
        }
        // SQLite: `json_each` expands the JSON list of ids.
        sqlx::query(
            "DELETE FROM customers WHERE id IN (SELECT value FROM json_each(?))
               AND id NOT IN (SELECT customer_id FROM orders WHERE customer_id IS NOT NULL)
               AND id NOT IN (SELECT customer_id FROM shop_orders WHERE customer_id IS NOT NULL)",
        )
        .bind(serde_json::to_string(&brought)?)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn account(&self, id: AccountId) -> Result<Account> {
        let row = sqlx::query(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| AppError::missing(Thing::Account, id))?;
        account_from_row(&row)
    }

    pub async fn account_by_name(&self, name: &str) -> Result<Option<Account>> {
        let row = sqlx::query(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE name = ?"))
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let rows = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY demo, name"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(account_from_row).collect()
    }

    pub async fn health(&self, id: AccountId) -> Result<AccountHealth> {
        let r = sqlx::query(
            "SELECT last_poll_at, last_outcome, last_error, last_error_words, next_poll_at, failing_since, server_wait_until,
                notice_words,
                (SELECT COUNT(*) FROM outbox o WHERE o.account_id = a.id AND o.state IN ('pending', 'in_flight')) AS pending,
                (SELECT COUNT(*) FROM outbox o WHERE o.account_id = a.id AND o.state = 'failed') AS failed
             FROM accounts a WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| AppError::missing(Thing::Account, id))?;
        Ok(AccountHealth {
            last_poll_at: parse_opt(r.get("last_poll_at"))?,
            last_outcome: match r.get::<Option<&str>, _>("last_outcome") {
                Some("ok") => Some(SyncOutcome::Ok),
                Some(_) => Some(SyncOutcome::Error),
                None => None,
            },
            last_error: r.get("last_error"),
            last_error_words: words_from(r.get("last_error_words")),
            next_poll_at: parse_opt(r.get("next_poll_at"))?,
            failing_since: parse_opt(r.get("failing_since"))?,
            server_wait_until: parse_opt(r.get("server_wait_until"))?,
            outbox_pending: r.get("pending"),
            outbox_failed: r.get("failed"),
            notice: words_from(r.get("notice_words")),
        })
    }

    /// Claims the announcement of the account's current failing streak: true once per streak,
    /// for whichever process asks first (the app, the command line beside it, the app started
    /// again); false once a sync worked again.
    pub async fn claim_failing_announcement(&self, id: AccountId) -> Result<bool> {
        let claimed = sqlx::query(
            "UPDATE accounts SET failing_announced = 1
             WHERE id = ? AND failing_since IS NOT NULL AND failing_announced = 0",
        )
        .bind(id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(claimed == 1)
    }

    /// What the account's last successful run found the manager should know (None clears it).
    pub async fn set_account_notice(&self, id: AccountId, notice: Option<&ErrorWords>) -> Result<()> {
        let json = notice.and_then(|w| serde_json::to_string(w).ok());
        sqlx::query("UPDATE accounts SET notice_words = ? WHERE id = ? AND notice_words IS NOT ?")
            .bind(&json)
            .bind(id)
            .bind(&json)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_next_poll(&self, id: AccountId, at: Option<DateTime<Utc>>) -> Result<()> {
        sqlx::query("UPDATE accounts SET next_poll_at = ? WHERE id = ?")
            .bind(at.map(format_ts))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Until when the marketplace asked this account to wait (None once a call worked again).
    pub async fn set_server_wait(&self, id: AccountId, until: Option<DateTime<Utc>>) -> Result<()> {
        sqlx::query("UPDATE accounts SET server_wait_until = ? WHERE id = ?")
            .bind(until.map(format_ts))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The connector's persisted sync state ("" when the account never synced).
    pub async fn cursor(&self, id: AccountId) -> Result<String> {
        Ok(
            sqlx::query_scalar("SELECT cursor FROM sync_cursors WHERE account_id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .unwrap_or_default(),
        )
    }

    /// Closes a sync run and updates the account's health in one transaction.
    pub async fn finish_sync_run(
        &self,
        run_id: i64,
        report: &SyncReport,
        error: Option<&AppError>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let outcome = if error.is_some() { "error" } else { "ok" };
        let words = words_json(error);
        let error = error.map(|e| e.message.as_str());
        let now = format_ts(at);
        sqlx::query(
            "UPDATE sync_runs SET finished_at = ?, outcome = ?, pages = ?, orders_seen = ?, orders_new = ?,
                orders_changed = ?, lines_new = ?, quarantined = ?, skipped = ?, error = ? WHERE id = ?",
        )
        .bind(&now)
        .bind(outcome)
        .bind(report.pages)
        .bind(report.orders_seen)
        .bind(report.orders_new)
        .bind(report.orders_changed)
        .bind(report.lines_new)
        .bind(report.quarantined)
        .bind(report.skipped)
        .bind(error)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE accounts SET last_poll_at = ?, last_outcome = ?, last_error = ?, last_error_words = ?,
                failing_since = CASE WHEN ? IS NULL THEN NULL ELSE COALESCE(failing_since, ?) END,
                failing_announced = CASE WHEN ? IS NULL THEN 0 ELSE failing_announced END
             WHERE id = ?",
        )
        .bind(&now)
        .bind(outcome)
        .bind(error)
        .bind(words)
        .bind(error)
        .bind(&now)
        .bind(error)
        .bind(report.account_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
