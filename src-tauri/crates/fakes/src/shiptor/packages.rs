//! Packages as the fake Shiptor keeps and returns them: what `addPackage` was given, plus an id,
//! a status, the creation time, a history of operations, and a tracking number once the parcel
//! is on its way.
//!
//! The statuses are Shiptor's codes as the public plugins list them (`new`, `packed`, `sent`,
//! `delivered`, `removed`…); their words in the history are those plugins' English labels, since
//! Shiptor's own texts could not be checked.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

pub const NEW: &str = "new";
pub const REMOVED: &str = "removed";

/// Until Shiptor has the parcel in hand, the shop may still edit or remove it (a guess: the SDK
/// has `editPackage` and `removePackage` but says nothing of when they are refused).
const BEFORE_HANDOVER: &[&str] = &[
    NEW,
    "checking-declaration",
    "declaration-checked",
    "waiting-pickup",
    "waiting-send",
];

/// From these on, the parcel is with the carrier and has a tracking number.
const ON_ITS_WAY: &[&str] = &[
    "sent",
    "waiting-on-delivery-point",
    "delivered",
    "returned",
    "reported",
    "lost",
];

/// Every status the fake knows, with the words its history gives it.
const STATUSES: &[(&str, &str)] = &[
    (NEW, "New"),
    ("checking-declaration", "Check declaration"),
    ("declaration-checked", "Declaration verified"),
    ("waiting-pickup", "Waiting for pick-up"),
    ("waiting-send", "Waiting to be sent"),
    ("arrived-to-warehouse", "Arrived at the warehouse"),
    ("packed", "Packed"),
    ("prepared-to-send", "Prepared to send"),
    ("sent", "Sent"),
    ("waiting-on-delivery-point", "Waiting at the delivery point"),
    ("delivered", "Delivered"),
    (REMOVED, "Removed"),
    ("recycled", "Recycled"),
    ("returned", "Waiting in line for return"),
    ("reported", "Returned to the sender"),
    ("lost", "Lost"),
    ("resend", "Resubmitted"),
];

pub(super) fn known_status(status: &str) -> bool {
    STATUSES.iter().any(|(code, _)| *code == status)
}

/// Whether the shop may still change or remove the package.
pub(super) fn editable(package: &Value) -> bool {
    package["status"]
        .as_str()
        .is_some_and(|s| BEFORE_HANDOVER.contains(&s))
}

pub(super) fn is_removed(package: &Value) -> bool {
    package["status"] == REMOVED
}

/// Shiptor's time stamps: ISO 8601 with Moscow's offset (the SDK only passes them on as text).
pub(super) fn stamp(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::Moscow)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// A history entry as `getPackage` lists them: `date`, `event`, `description`.
fn event(status: &str, now: DateTime<Utc>) -> Value {
    let words = STATUSES
        .iter()
        .find(|(code, _)| *code == status)
        .map_or(status, |(_, words)| *words);
    json!({"date": stamp(now), "event": words, "description": ""})
}

/// A new package: the parameters as given, plus what Shiptor adds.
pub(super) fn created(params: Map<String, Value>, id: i64, now: DateTime<Utc>) -> Value {
    let mut package = params;
    package.insert("id".into(), json!(id));
    package.insert("status".into(), json!(NEW));
    package.insert("created_at".into(), json!(stamp(now)));
    package.insert("tracking_number".into(), Value::Null);
    package.insert("external_tracking_number".into(), Value::Null);
    package.insert("label_url".into(), Value::Null);
    package.insert("history".into(), json!([event(NEW, now)]));
    Value::Object(package)
}

/// An `editPackage` applied: every given field replaces the stored one; what Shiptor keeps itself
/// (id, status, history, tracking, times) stays.
pub(super) fn edited(stored: &Value, changes: Map<String, Value>) -> Value {
    let mut package = stored.clone();
    for (key, value) in changes {
        let own = matches!(
            key.as_str(),
            "id" | "status" | "history" | "created_at" | "tracking_number" | "external_tracking_number"
        );
        if !own {
            package[key] = value;
        }
    }
    package
}

/// The package moved to `status`, as the carrier moves it: a history entry, and a tracking number
/// the first time it is on its way.
pub(super) fn moved(package: &mut Value, status: &str, now: DateTime<Utc>) {
    package["status"] = json!(status);
    if let Some(history) = package.get_mut("history").and_then(Value::as_array_mut) {
        history.push(event(status, now));
    }
    if ON_ITS_WAY.contains(&status) && package["tracking_number"].is_null() {
        let id = package["id"].as_i64().unwrap_or_default();
        package["tracking_number"] = json!(tracking_number(id));
    }
}

/// A Russian Post tracking number (UPU S10: `RP`, eight digits, a check digit, `RU`) made from the
/// package id, so that each package's number is its own and a test can predict it.
pub fn tracking_number(id: i64) -> String {
    let serial = format!("{:08}", id.rem_euclid(100_000_000));
    let weighted: u32 = serial
        .bytes()
        .zip([8, 6, 4, 2, 3, 5, 9, 7])
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    let check = match 11 - weighted % 11 {
        10 => 0,
        11 => 5,
        c => c,
    };
    format!("RP{serial}{check}RU")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_numbers_carry_the_s10_check_digit() {
        // Serial 47312482: 4·8 + 7·6 + 3·4 + 1·2 + 2·3 + 4·5 + 8·9 + 2·7 = 200, 11 − 200 mod 11 = 9.
        assert_eq!(tracking_number(47_312_482), "RP473124829RU");
        assert_eq!(tracking_number(1).len(), 13);
    }

    #[test]
    fn a_package_gets_its_tracking_number_once_sent_and_keeps_it() {
        let now = Utc::now();
        let mut p = created(Map::new(), 7, now);
        assert!(editable(&p));
        moved(&mut p, "packed", now);
        assert!(p["tracking_number"].is_null());
        assert!(!editable(&p));
        moved(&mut p, "sent", now);
        assert_eq!(p["tracking_number"], tracking_number(7));
        moved(&mut p, "delivered", now);
        assert_eq!(p["tracking_number"], tracking_number(7));
        let events: Vec<&str> = p["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].as_str().unwrap())
            .collect();
        assert_eq!(events, ["New", "Packed", "Sent", "Delivered"]);
    }
}
