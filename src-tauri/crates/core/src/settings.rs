//! App-wide preferences the manager sets on the Settings screen.

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
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            autostart: false,
            autostart_decided: false,
            close_to_tray: true,
            tray_hint_shown: false,
        }
    }
}

impl AppSettings {
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
    fn older_documents_get_defaults_for_new_fields() {
        let s: AppSettings = serde_json::from_str(r#"{"autostart":true}"#).unwrap();
        assert!(s.autostart && s.close_to_tray && !s.tray_hint_shown);
    }
}
