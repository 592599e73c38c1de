//! App-wide preferences the manager sets on the Settings screen.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{AppError, ErrorWords};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct AppSettings {
    /// Start with the computer (minimised to the tray).
    pub autostart: bool,
    /// Set once the manager (or the first account) has decided about autostart, so that the
    /// default is applied only once and a manager's "off" stays off.
    pub autostart_decided: bool,
    /// Closing the window keeps Ordertray running in the tray.
    pub close_to_tray: bool,
    /// The "still running in the tray" notice has been shown once.
    pub tray_hint_shown: bool,
    /// Polling is paused until this time (the tray's "pause for 1 hour").
    pub sync_paused_until: Option<DateTime<Utc>>,
    /// Polling is paused until the manager resumes it.
    pub sync_paused: bool,
    /// When an accepted order's region differs from its existing customer's, move the customer.
    pub move_customer_region: bool,
    /// How each kind of event is announced.
    pub alerts: crate::alerts::AlertSettings,
    /// The delivery methods hand-made orders choose from, with their tariffs.
    pub delivery_methods: Vec<crate::delivery::DeliveryMethod>,
    /// Saved column choices and filters of the CSV export dialog.
    pub export_presets: Vec<crate::export::ExportPreset>,
    /// How long the bookkeeping tables keep their rows.
    pub retention: RetentionSettings,
    /// The currency the shop sells in (ISO 4217): a store platform selling in another imports nothing.
    pub shop_currency: String,
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            autostart: false,
            autostart_decided: false,
            close_to_tray: true,
            tray_hint_shown: false,
            sync_paused_until: None,
            sync_paused: false,
            move_customer_region: false,
            alerts: Default::default(),
            delivery_methods: crate::delivery::DeliveryMethod::defaults(),
            export_presets: vec![],
            retention: RetentionSettings::default(),
            shop_currency: "RUB".into(),
        }
    }
}

/// The fewest days the manager may keep bookkeeping rows: a week still answers "what happened
/// on Monday" when support asks on Friday.
pub const RETENTION_MIN_DAYS: u32 = 7;
/// The most: ten years, far beyond any shop's need, before the file grows without end.
pub const RETENTION_MAX_DAYS: u32 = 3650;
/// A quarter: long enough to answer "what happened last month", short enough that a shop polling
/// every minute does not grow its file by hundreds of thousands of rows a year.
pub const RETENTION_DEFAULT_DAYS: u32 = 90;

/// Days each kind of bookkeeping row is kept before the retention pass removes it (see
/// `ordertray_store::retention`). Orders, their lines and their timelines (every status change)
/// are never pruned, nor an update still to be delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct RetentionSettings {
    /// Updates delivered to a marketplace (the outbox's done rows).
    pub done_outbox_days: u32,
    /// Finished sync runs (an account's health lives on the account, not in these).
    pub sync_runs_days: u32,
    /// Requests pushed to the order intake, kept for audit.
    pub intake_requests_days: u32,
    /// Notices tied to no order: sync failures, skipped (quarantined) orders, restarted tasks.
    pub account_events_days: u32,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            done_outbox_days: RETENTION_DEFAULT_DAYS,
            sync_runs_days: RETENTION_DEFAULT_DAYS,
            intake_requests_days: RETENTION_DEFAULT_DAYS,
            account_events_days: RETENTION_DEFAULT_DAYS,
        }
    }
}

impl RetentionSettings {
    /// Each period with the words an error names it by.
    /// Each period: its field, what it keeps (in English), its days.
    fn periods(&self) -> [(&'static str, &'static str, u32); 4] {
        [
            (
                "done_outbox_days",
                "delivered marketplace updates",
                self.done_outbox_days,
            ),
            ("sync_runs_days", "sync runs", self.sync_runs_days),
            (
                "intake_requests_days",
                "order intake requests",
                self.intake_requests_days,
            ),
            ("account_events_days", "account notices", self.account_events_days),
        ]
    }

    /// Every period within [`RETENTION_MIN_DAYS`]..=[`RETENTION_MAX_DAYS`], else which is not.
    pub fn validate(&self) -> Result<(), AppError> {
        let range = RETENTION_MIN_DAYS..=RETENTION_MAX_DAYS;
        match self
            .periods()
            .into_iter()
            .find(|(_, _, days)| !range.contains(days))
        {
            None => Ok(()),
            Some((field, what, _)) => Err(AppError::refused(ErrorWords::out_of_range(
                field,
                &format!("Keeping {what}"),
                Some(RETENTION_MIN_DAYS.into()),
                Some(RETENTION_MAX_DAYS.into()),
                Some("days"),
            ))),
        }
    }

    /// Every period moved into the allowed range: what the retention pass uses, so that a
    /// document written by hand (or by a future version) can never prune more than a week allows.
    pub fn clamped(self) -> Self {
        let c = |days: u32| days.clamp(RETENTION_MIN_DAYS, RETENTION_MAX_DAYS);
        Self {
            done_outbox_days: c(self.done_outbox_days),
            sync_runs_days: c(self.sync_runs_days),
            intake_requests_days: c(self.intake_requests_days),
            account_events_days: c(self.account_events_days),
        }
    }
}

/// How long polling stays paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncPause {
    Until(DateTime<Utc>),
    UntilResumed,
}

impl AppSettings {
    /// What the manager may save: every period within its range, delivery methods that are
    /// named, unique and priced (a new one gets its id here).
    pub fn validated(mut self) -> Result<Self, AppError> {
        self.retention.validate()?;
        let currency = self.shop_currency.trim().to_uppercase();
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(AppError::refused(crate::ErrorWords::bad_format(
                "shop_currency",
                "Shop currency",
                &self.shop_currency,
                crate::ValueFormat::CurrencyCode,
            )));
        }
        self.shop_currency = currency;
        crate::delivery::assign_ids(&mut self.delivery_methods);
        crate::delivery::validate_methods(&self.delivery_methods)?;
        Ok(self)
    }

    /// Whether polling is paused at `now`, and until when.
    pub fn sync_pause(&self, now: DateTime<Utc>) -> Option<SyncPause> {
        if self.sync_paused {
            return Some(SyncPause::UntilResumed);
        }
        self.sync_paused_until
            .filter(|until| *until > now)
            .map(SyncPause::Until)
    }

    pub fn paused(mut self, pause: Option<SyncPause>) -> Self {
        self.sync_paused = pause == Some(SyncPause::UntilResumed);
        self.sync_paused_until = match pause {
            Some(SyncPause::Until(at)) => Some(at),
            _ => None,
        };
        self
    }

    /// The first account turns autostart on, unless the manager already chose.
    pub fn after_first_account(mut self) -> Self {
        if !self.autostart_decided {
            self.autostart = true;
            self.autostart_decided = true;
        }
        self
    }

    /// The manager's own change: whatever they chose about autostart is final.
    pub fn chosen_by_manager(mut self, previous: &AppSettings) -> Self {
        if self.autostart != previous.autostart {
            self.autostart_decided = true;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_account_turns_autostart_on_once() {
        let s = AppSettings::default().after_first_account();
        assert!(s.autostart && s.autostart_decided);
        let off = AppSettings {
            autostart: false,
            ..s.clone()
        }
        .chosen_by_manager(&s);
        assert!(!off.after_first_account().autostart, "a manager's off stays off");
    }

    #[test]
    fn a_timed_pause_ends_by_itself_and_resume_ends_any() {
        let now = Utc::now();
        let hour = chrono::Duration::hours(1);
        let s = AppSettings::default().paused(Some(SyncPause::Until(now + hour)));
        assert_eq!(s.sync_pause(now), Some(SyncPause::Until(now + hour)));
        assert_eq!(s.sync_pause(now + hour), None, "over at its end");
        let s = s.paused(Some(SyncPause::UntilResumed));
        assert_eq!(s.sync_pause(now + hour * 100), Some(SyncPause::UntilResumed));
        assert_eq!(s.sync_paused_until, None);
        assert_eq!(s.paused(None).sync_pause(now), None);
    }

    #[test]
    fn older_documents_get_defaults_for_new_fields() {
        let s: AppSettings = serde_json::from_str(r#"{"autostart":true}"#).unwrap();
        assert!(s.autostart && s.close_to_tray && !s.tray_hint_shown);
    }

    #[test]
    fn a_document_from_before_retention_settings_keeps_90_days_of_everything() {
        // As a version without retention settings stored it.
        let old = r#"{"autostart":true,"autostart_decided":true,"close_to_tray":false,
            "tray_hint_shown":true,"sync_paused_until":null,"sync_paused":false,
            "move_customer_region":true,"export_presets":[]}"#;
        let s: AppSettings = serde_json::from_str(old).unwrap();
        assert_eq!(
            s.retention,
            RetentionSettings {
                done_outbox_days: 90,
                sync_runs_days: 90,
                intake_requests_days: 90,
                account_events_days: 90,
            }
        );
        assert!(
            s.autostart && !s.close_to_tray && s.move_customer_region,
            "the rest as stored"
        );
        assert!(s.validated().is_ok());
        // A document that names only some periods gets the default for the others.
        let s: AppSettings = serde_json::from_str(r#"{"retention":{"sync_runs_days":7}}"#).unwrap();
        assert_eq!(
            (s.retention.sync_runs_days, s.retention.done_outbox_days),
            (7, 90)
        );
    }

    #[test]
    fn retention_periods_run_from_a_week_to_ten_years() {
        let with = |change: fn(&mut RetentionSettings)| {
            let mut s = AppSettings::default();
            change(&mut s.retention);
            s.validated()
        };
        assert!(with(|r| r.sync_runs_days = 7).is_ok());
        assert!(with(|r| r.account_events_days = 3650).is_ok());
        let e = with(|r| r.intake_requests_days = 6).unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::InvalidInput);
        assert_eq!(
            e.message,
            "Keeping order intake requests must be between 7 and 3650 days"
        );
        assert!(
            matches!(e.words.as_deref(), Some(crate::ErrorWords::OutOfRange { field, min: Some(7), max: Some(3650), .. }) if field == "intake_requests_days"),
            "{:?}",
            e.words
        );
        let e = with(|r| r.done_outbox_days = 3651).unwrap_err();
        assert_eq!(
            e.message,
            "Keeping delivered marketplace updates must be between 7 and 3650 days"
        );
        assert!(with(|r| r.account_events_days = 0).is_err());
    }

    #[test]
    fn the_pass_never_uses_a_period_outside_the_range() {
        let r = RetentionSettings {
            done_outbox_days: 0,
            sync_runs_days: 1,
            intake_requests_days: 30,
            account_events_days: u32::MAX,
        }
        .clamped();
        assert_eq!(
            (
                r.done_outbox_days,
                r.sync_runs_days,
                r.intake_requests_days,
                r.account_events_days
            ),
            (7, 7, 30, 3650)
        );
    }
}
