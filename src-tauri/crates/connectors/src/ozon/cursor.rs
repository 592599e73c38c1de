//! The sync state the engine persists with each page. Unknown or damaged text starts afresh
//! (postings are upserted, so re-reading is safe).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    #[default]
    Idle,
    Unfulfilled,
    Changed,
    /// FBO postings (`/v3/posting/fbo/list`), only for accounts that import them.
    Fbo,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncState {
    pub phase: Phase,
    /// Ozon's cursor within the current phase ("" = first page).
    #[serde(default)]
    pub cursor: String,
    /// Start of the last completed run: changes are read from here minus the overlap.
    #[serde(default)]
    pub watermark: Option<DateTime<Utc>>,
    #[serde(default)]
    pub run_started: Option<DateTime<Utc>>,
}

impl SyncState {
    pub fn parse(text: &str) -> Self {
        if text.is_empty() {
            return Self::default();
        }
        serde_json::from_str(text).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "unreadable Ozon sync state; starting a fresh run");
            Self::default()
        })
    }

    pub fn start(now: DateTime<Utc>) -> Self {
        Self::default().begin(now)
    }

    pub fn begin(self, now: DateTime<Utc>) -> Self {
        Self {
            phase: Phase::Unfulfilled,
            cursor: String::new(),
            watermark: self.watermark,
            run_started: Some(now),
        }
    }

    pub fn finished(self) -> Self {
        Self {
            phase: Phase::Idle,
            cursor: String::new(),
            watermark: self.run_started,
            run_started: None,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("sync state serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_moves_the_watermark_to_its_start() {
        let t = Utc::now();
        let s = SyncState::parse("").begin(t);
        assert_eq!((s.phase, s.run_started), (Phase::Unfulfilled, Some(t)));
        let done = s.finished();
        assert_eq!((done.phase, done.watermark), (Phase::Idle, Some(t)));
        assert_eq!(SyncState::parse(&done.to_json()), done);
    }

    #[test]
    fn damaged_state_starts_afresh() {
        assert_eq!(SyncState::parse("{not json"), SyncState::default());
    }
}
