//! The fake's memory: postings in arrival order, queued faults, the call log, a rate limiter.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::data::{available_actions, sample_posting, ship_by, ts};
use super::{FakeOzonConfig, FaultRule, RecordedCall};

pub(crate) struct Posting {
    pub json: Value,
    pub in_process_at: DateTime<Utc>,
    pub last_changed: DateTime<Utc>,
    /// An FBO posting (Ozon ships it): listed by `/v3/posting/fbo/list` only.
    pub fbo: bool,
}

#[derive(Default)]
pub(crate) struct State {
    pub postings: Vec<Posting>,
    pub index: HashMap<String, usize>,
    pub faults: VecDeque<FaultRule>,
    pub calls: Vec<RecordedCall>,
    pub seq: u64,
    pub window: Option<(Instant, u32)>,
    /// Calls to hold until the test releases them: (path, hold).
    pub holds: Vec<(String, Arc<super::HeldCall>)>,
    /// Random faults on seller calls when no queued fault applies.
    pub flaky: Option<crate::faults::Flaky>,
    /// When the Api-Key expires (`/v1/roles`); None: half a year from each call.
    pub key_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Generated postings' ship-by as if put in process then; None: when generated.
    pub ship_by_from: Option<chrono::DateTime<chrono::Utc>>,
}

pub(crate) struct Shared {
    pub config: FakeOzonConfig,
    pub state: Mutex<State>,
}

impl Shared {
    pub fn new(config: FakeOzonConfig) -> Self {
        Self {
            config,
            state: Mutex::default(),
        }
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("fake state poisoned")
    }

    pub fn add_posting(&self, posting: Value) {
        self.insert(posting, false);
    }

    pub fn add_fbo_posting(&self, posting: Value) {
        self.insert(posting, true);
    }

    fn insert(&self, posting: Value, fbo: bool) {
        let number = posting["posting_number"].as_str().unwrap_or_default().to_string();
        let in_process_at = posting["in_process_at"]
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(Utc::now);
        let mut s = self.lock();
        let p = Posting {
            json: posting,
            in_process_at,
            last_changed: Utc::now(),
            fbo,
        };
        match s.index.get(&number) {
            Some(&i) => s.postings[i] = p,
            None => {
                let i = s.postings.len();
                s.index.insert(number, i);
                s.postings.push(p);
            }
        }
    }

    pub fn generate(&self, n: usize, products: usize) -> Vec<String> {
        let (first, ship_by_from) = {
            let mut s = self.lock();
            let first = s.seq + 1;
            s.seq += n as u64;
            (first, s.ship_by_from)
        };
        let now = Utc::now();
        (first..first + n as u64)
            .map(|seq| {
                let mut p = sample_posting(seq, products, now);
                if let Some(from) = ship_by_from {
                    p["shipment_date"] = json!(ship_by(from));
                }
                let number = p["posting_number"].as_str().unwrap_or_default().to_string();
                self.add_posting(p);
                number
            })
            .collect()
    }

    pub fn set_status(&self, number: &str, status: &str) -> bool {
        let mut s = self.lock();
        let Some(&i) = s.index.get(number) else {
            return false;
        };
        let p = &mut s.postings[i];
        apply_status(p, status);
        if status == "cancelled" {
            p.json["cancellation"] = json!({
                "cancel_reason_id": 507,
                "cancel_reason": "Покупатель отменил заказ",
                "cancellation_type": "client",
                "cancelled_after_ship": false,
                "affect_cancellation_rating": false,
                "cancellation_initiator": "Покупатель"
            });
        }
        true
    }

    pub fn posting(&self, number: &str) -> Option<Value> {
        let s = self.lock();
        s.index.get(number).map(|&i| s.postings[i].json.clone())
    }

    pub fn push_fault(&self, rule: FaultRule) {
        self.lock().faults.push_back(rule);
    }

    pub fn calls(&self) -> Vec<RecordedCall> {
        self.lock().calls.clone()
    }
}

/// Sets a status the way Ozon does: new actions, and a fresh last-change time.
pub(crate) fn apply_status(p: &mut Posting, status: &str) {
    p.json["status"] = json!(status);
    p.json["available_actions"] = available_actions(status);
    p.last_changed = Utc::now();
    p.json["last_changed_status_date"] = json!(ts(p.last_changed));
}
