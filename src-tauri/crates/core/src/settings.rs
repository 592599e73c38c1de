//! App-wide preferences the manager sets on the Settings screen.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
    pub delivery_methods: Vec<crate::cabinet::DeliveryMethod>,
    /// Saved column choices and filters of the CSV export dialog.
    pub export_presets: Vec<crate::export::ExportPreset>,
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
            delivery_methods: crate::cabinet::DeliveryMethod::defaults(),
            export_presets: vec![],
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
}
