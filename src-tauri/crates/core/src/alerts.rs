//! How the manager wants to be told about each kind of event: OS popup, sound, in-app banner;
//! quiet hours; and bursts coalesced so that ten orders in a minute make two popups, not ten.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AlertKind {
    NewOrder,
    BuyerCancelled,
    PushFailed,
    /// An account's sync has kept failing for longer than the configured minutes.
    SyncFailing,
    RuleRejected,
    /// The marketplace moved a known order to another status (delivering, delivered, …).
    StatusChanged,
    /// An order still waiting for a decision is due to ship within the configured minutes.
    ShipByNear,
    /// An order still waiting for a decision has passed its ship-by deadline.
    ShipByOverdue,
}

/// What an announcement is about, as plain values: the in-app banner is worded from these by the
/// UI in the manager's language (`ui/src/i18n/alerts.ts`); OS popups are worded by
/// [`notify_text`](crate::notify_text) in the app's language, since they show without the window.
///
/// Which fields a kind uses: every kind names the `account` and, but for a rule's rejections, its
/// `marketplace` (display name); `number` is the (first) order's number (new orders, cancellations,
/// status changes, rule rejections, the order a failed update was for); `detail` is the marketplace
/// status (status changed), the rule's name (rule rejected), the error (push failed, sync failing)
/// or the (first) order's ship-by deadline as RFC 3339 UTC (ship-by near, overdue);
/// `effect` is the marketplace call that could not be sent (push failed).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AlertArgs {
    pub marketplace: String,
    pub account: String,
    pub number: String,
    pub detail: String,
    /// When `detail` is an error: the same error for the UI to word.
    pub error: Option<crate::ErrorWords>,
    pub effect: Option<crate::timeline::EffectWords>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Channels {
    pub popup: bool,
    pub sound: bool,
    pub in_app: bool,
}

impl Channels {
    const ALL: Channels = Channels {
        popup: true,
        sound: true,
        in_app: true,
    };
    const QUIET: Channels = Channels {
        popup: true,
        sound: false,
        in_app: true,
    };
}

/// A daily window (local time) without popups or sounds; it may cross midnight (22:00–08:00).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QuietHours {
    /// "HH:MM".
    pub from: String,
    pub to: String,
}

impl QuietHours {
    fn parse(t: &str) -> Option<NaiveTime> {
        NaiveTime::parse_from_str(t.trim(), "%H:%M").ok()
    }

    /// Whether `local` falls in the window; an unreadable or empty window is never quiet.
    pub fn contains(&self, local: NaiveTime) -> bool {
        let (Some(from), Some(to)) = (Self::parse(&self.from), Self::parse(&self.to)) else {
            return false;
        };
        if from <= to {
            from <= local && local < to
        } else {
            local >= from || local < to
        }
    }

    pub fn is_valid(&self) -> bool {
        Self::parse(&self.from).is_some() && Self::parse(&self.to).is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct AlertSettings {
    pub new_order: Channels,
    pub buyer_cancelled: Channels,
    pub push_failed: Channels,
    pub sync_failing: Channels,
    pub rule_rejected: Channels,
    pub status_changed: Channels,
    pub ship_by_near: Channels,
    pub ship_by_overdue: Channels,
    pub quiet_hours: Option<QuietHours>,
    /// A sync failing for this long is announced (once per failure streak).
    pub sync_failing_minutes: u32,
    /// Popups of one kind within this many seconds of the last one are held and shown together.
    pub coalesce_seconds: u32,
    /// An order still waiting for a decision this many minutes before its ship-by deadline is
    /// announced as "ship-by near" (once; "overdue" follows once when the deadline passes).
    pub ship_by_near_minutes: u32,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            new_order: Channels::ALL,
            buyer_cancelled: Channels::ALL,
            push_failed: Channels::QUIET,
            sync_failing: Channels::QUIET,
            rule_rejected: Channels {
                popup: false,
                sound: false,
                in_app: true,
            },
            // Frequent and rarely urgent: a banner unless the manager asks for more.
            status_changed: Channels {
                popup: false,
                sound: false,
                in_app: true,
            },
            ship_by_near: Channels::ALL,
            ship_by_overdue: Channels::ALL,
            quiet_hours: None,
            sync_failing_minutes: 15,
            coalesce_seconds: 60,
            ship_by_near_minutes: 120,
        }
    }
}

impl AlertSettings {
    pub fn channels(&self, kind: AlertKind) -> Channels {
        match kind {
            AlertKind::NewOrder => self.new_order,
            AlertKind::BuyerCancelled => self.buyer_cancelled,
            AlertKind::PushFailed => self.push_failed,
            AlertKind::SyncFailing => self.sync_failing,
            AlertKind::RuleRejected => self.rule_rejected,
            AlertKind::StatusChanged => self.status_changed,
            AlertKind::ShipByNear => self.ship_by_near,
            AlertKind::ShipByOverdue => self.ship_by_overdue,
        }
    }

    /// The channels to use now: popups and sounds wait out the quiet hours, banners never do.
    pub fn channels_at(&self, kind: AlertKind, local: NaiveTime) -> Channels {
        let c = self.channels(kind);
        if self.quiet_hours.as_ref().is_some_and(|q| q.contains(local)) {
            Channels {
                popup: false,
                sound: false,
                in_app: c.in_app,
            }
        } else {
            c
        }
    }
}

/// Popups held back because one of their kind was shown a moment ago.
#[derive(Debug)]
pub struct Coalescer<P> {
    window: chrono::Duration,
    last_shown: BTreeMap<AlertKind, DateTime<Utc>>,
    held: BTreeMap<AlertKind, (usize, P)>,
}

/// What to show: the kind, how many events it stands for, and the first event's payload.
pub type Burst<P> = (AlertKind, usize, P);

/// A payload that stands for the events after it in its burst too: the first's, told what the
/// later ones do not share with it (a popup naming one account for orders of several misleads).
pub trait Absorb {
    fn absorb(&mut self, later: &Self);
}

impl<P: Absorb> Coalescer<P> {
    pub fn new(window: chrono::Duration) -> Self {
        Self {
            window,
            last_shown: BTreeMap::new(),
            held: BTreeMap::new(),
        }
    }

    pub fn set_window(&mut self, window: chrono::Duration) {
        self.window = window;
    }

    /// Offers `count` events of `kind`: shown now when none of the kind was shown within the
    /// window (together with any still held), else held (keeping the first payload).
    pub fn offer(
        &mut self,
        now: DateTime<Utc>,
        kind: AlertKind,
        count: usize,
        payload: P,
    ) -> Option<Burst<P>> {
        let recent = self.last_shown.get(&kind).is_some_and(|t| now - *t < self.window);
        if recent {
            match self.held.get_mut(&kind) {
                Some((n, first)) => {
                    *n += count;
                    first.absorb(&payload);
                }
                None => {
                    self.held.insert(kind, (count, payload));
                }
            }
            None
        } else {
            self.last_shown.insert(kind, now);
            // Events still held from before go out with this one.
            Some(match self.held.remove(&kind) {
                Some((held, mut first)) => {
                    first.absorb(&payload);
                    (kind, held + count, first)
                }
                None => (kind, count, payload),
            })
        }
    }

    /// Held bursts whose window has passed, each as one popup.
    pub fn due(&mut self, now: DateTime<Utc>) -> Vec<Burst<P>> {
        let ready: Vec<AlertKind> = self
            .held
            .keys()
            .copied()
            .filter(|k| self.last_shown.get(k).is_none_or(|t| now - *t >= self.window))
            .collect();
        ready
            .into_iter()
            .filter_map(|k| {
                let (count, payload) = self.held.remove(&k)?;
                self.last_shown.insert(k, now);
                Some((k, count, payload))
            })
            .collect()
    }

    /// Every held burst, whatever its window: what an engine stops with is shown now or never.
    pub fn take_held(&mut self) -> Vec<Burst<P>> {
        std::mem::take(&mut self.held)
            .into_iter()
            .map(|(kind, (count, payload))| (kind, count, payload))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn quiet(from: &str, to: &str) -> QuietHours {
        QuietHours {
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn quiet_hours_within_a_day_and_across_midnight() {
        let night = quiet("22:00", "08:00");
        for (time, want) in [
            (t(23, 0), true),
            (t(2, 30), true),
            (t(7, 59), true),
            (t(8, 0), false),
            (t(12, 0), false),
            (t(22, 0), true),
            (t(21, 59), false),
        ] {
            assert_eq!(night.contains(time), want, "{time}");
        }
        let lunch = quiet("13:00", "14:00");
        assert!(lunch.contains(t(13, 30)));
        assert!(!lunch.contains(t(14, 0)));
        assert!(!lunch.contains(t(12, 59)));
        assert!(
            !quiet("25:00", "08:00").contains(t(2, 0)),
            "an unreadable window is never quiet"
        );
        assert!(!quiet("", "").is_valid());
        assert!(
            !quiet("10:00", "10:00").contains(t(10, 0)),
            "an empty window is never quiet"
        );
    }

    #[test]
    fn quiet_hours_silence_popups_and_sounds_but_not_banners() {
        let s = AlertSettings {
            quiet_hours: Some(quiet("22:00", "08:00")),
            ..Default::default()
        };
        let night = s.channels_at(AlertKind::NewOrder, t(23, 0));
        assert_eq!((night.popup, night.sound, night.in_app), (false, false, true));
        assert_eq!(s.channels_at(AlertKind::NewOrder, t(12, 0)), Channels::ALL);
        assert!(
            !s.channels_at(AlertKind::RuleRejected, t(12, 0)).popup,
            "rule rejections are banner-only by default"
        );
    }

    impl Absorb for &str {
        fn absorb(&mut self, _later: &Self) {}
    }

    /// Names which events a burst's popup stands for: the first, and the others' letters.
    #[derive(Debug, PartialEq)]
    struct Named(String);

    impl Absorb for Named {
        fn absorb(&mut self, later: &Self) {
            self.0.push_str(&later.0);
        }
    }

    #[test]
    fn a_bursts_payload_hears_of_every_event_it_stands_for() {
        let start = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = |s: i64| start + chrono::Duration::seconds(s);
        let mut c = Coalescer::new(chrono::Duration::seconds(60));
        let named = |s: &str| Named(s.to_string());
        assert!(c.offer(at(0), AlertKind::NewOrder, 1, named("A")).is_some());
        assert_eq!(c.offer(at(5), AlertKind::NewOrder, 1, named("B")), None);
        assert_eq!(c.offer(at(6), AlertKind::NewOrder, 1, named("C")), None);
        assert_eq!(c.due(at(60)), vec![(AlertKind::NewOrder, 2, named("BC"))]);
        assert_eq!(c.offer(at(70), AlertKind::NewOrder, 1, named("D")), None);
        assert_eq!(
            c.offer(at(130), AlertKind::NewOrder, 1, named("E")),
            Some((AlertKind::NewOrder, 2, named("DE")))
        );
    }

    #[test]
    fn what_is_held_is_taken_whole_whatever_its_window() {
        let start = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = |s: i64| start + chrono::Duration::seconds(s);
        let mut c = Coalescer::new(chrono::Duration::seconds(60));
        assert!(c.offer(at(0), AlertKind::NewOrder, 1, "A").is_some());
        assert!(c.offer(at(0), AlertKind::ShipByNear, 1, "S").is_some());
        assert_eq!(c.offer(at(5), AlertKind::NewOrder, 2, "B"), None);
        assert_eq!(c.offer(at(6), AlertKind::ShipByNear, 1, "T"), None);
        assert!(c.due(at(10)).is_empty(), "within the window");
        let mut held = c.take_held();
        held.sort_by_key(|b| b.2);
        assert_eq!(
            held,
            vec![(AlertKind::NewOrder, 2, "B"), (AlertKind::ShipByNear, 1, "T")]
        );
        assert!(
            c.take_held().is_empty() && c.due(at(600)).is_empty(),
            "nothing left"
        );
    }

    #[test]
    fn bursts_within_the_window_become_one_popup() {
        let start = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = |s: i64| start + chrono::Duration::seconds(s);
        let mut c = Coalescer::new(chrono::Duration::seconds(60));

        assert_eq!(
            c.offer(at(0), AlertKind::NewOrder, 1, "A"),
            Some((AlertKind::NewOrder, 1, "A"))
        );
        assert_eq!(c.offer(at(5), AlertKind::NewOrder, 2, "B"), None);
        assert_eq!(c.offer(at(20), AlertKind::NewOrder, 3, "C"), None);
        // Another kind is not held back by new orders.
        assert_eq!(
            c.offer(at(21), AlertKind::PushFailed, 1, "P"),
            Some((AlertKind::PushFailed, 1, "P"))
        );
        assert!(c.due(at(59)).is_empty(), "still within the window");
        assert_eq!(
            c.due(at(60)),
            vec![(AlertKind::NewOrder, 5, "B")],
            "one popup for the five held"
        );
        assert!(c.due(at(200)).is_empty(), "nothing left");
        // The summary counts as shown: the next order within a minute of it is held again.
        assert_eq!(c.offer(at(90), AlertKind::NewOrder, 1, "D"), None);
        assert_eq!(
            c.offer(at(200), AlertKind::NewOrder, 1, "E"),
            Some((AlertKind::NewOrder, 2, "D")),
            "a popup shown takes what was held with it"
        );
        assert!(c.due(at(400)).is_empty());
    }
}
