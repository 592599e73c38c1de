//! The audit log of requests to the order intake (see migration 0007).

use chrono::{DateTime, Utc};
use ordertray_core::intake::IntakeRequestView;
use ordertray_core::AccountId;
use sqlx::Row;

use crate::time::{format_ts, parse_ts};
use crate::{Result, Store};

/// One request as the intake saw it. `body` is None for refused requests.
#[derive(Debug, Clone)]
pub struct NewIntakeRequest<'a> {
    pub account_id: Option<AccountId>,
    pub received_at: DateTime<Utc>,
    pub remote: &'a str,
    pub content_type: &'a str,
    pub body: Option<&'a [u8]>,
    pub body_bytes: usize,
    pub http_status: u16,
    pub outcome: &'a str,
    pub message: &'a str,
    /// The sender's id of this delivery (a webhook's), when it has one: a second request with
    /// the same id is not logged.
    pub delivery_id: Option<&'a str>,
}

impl Store {
    /// Logs the request; None when its delivery id was logged before for the account (nothing is
    /// written then).
    pub async fn log_intake_request(&self, r: &NewIntakeRequest<'_>) -> Result<Option<i64>> {
        // An account id that names no account (a probe) is kept as none.
        let account: Option<i64> = match r.account_id {
            Some(id) => {
                sqlx::query_scalar("SELECT id FROM accounts WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
            }
            None => None,
        };
        Ok(sqlx::query_scalar(
            "INSERT INTO intake_requests (account_id, received_at, remote, content_type, body, body_bytes,
                http_status, outcome, message, delivery_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(account)
        .bind(format_ts(r.received_at))
        .bind(r.remote)
        .bind(r.content_type)
        .bind(r.body)
        .bind(r.body_bytes as i64)
        .bind(i64::from(r.http_status))
        .bind(r.outcome)
        .bind(r.message)
        .bind(r.delivery_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The newest requests first; `account` None lists every account's (and unknown ones').
    pub async fn intake_requests(
        &self,
        account: Option<AccountId>,
        limit: u32,
    ) -> Result<Vec<IntakeRequestView>> {
        let rows = sqlx::query(
            "SELECT id, account_id, received_at, remote, content_type, body_bytes, http_status, outcome, message
             FROM intake_requests WHERE (?1 IS NULL OR account_id = ?1) ORDER BY id DESC LIMIT ?2",
        )
        .bind(account)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(IntakeRequestView {
                    id: r.get("id"),
                    account_id: r.get("account_id"),
                    received_at: parse_ts(r.get("received_at"))?,
                    remote: r.get("remote"),
                    content_type: r.get("content_type"),
                    body_bytes: r.get("body_bytes"),
                    http_status: u16::try_from(r.get::<i64, _>("http_status")).unwrap_or(0),
                    outcome: r.get("outcome"),
                    message: r.get("message"),
                })
            })
            .collect()
    }

    /// The body of one request exactly as it arrived (None when it was refused unread).
    pub async fn intake_request_body(&self, id: i64) -> Result<Option<Vec<u8>>> {
        Ok(
            sqlx::query_scalar::<_, Option<Vec<u8>>>("SELECT body FROM intake_requests WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .flatten(),
        )
    }
}
