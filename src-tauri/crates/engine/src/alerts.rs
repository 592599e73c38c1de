//! Every announcement goes through here: the manager's channels per kind of event, quiet hours,
//! and bursts coalesced into one popup. In-app banners go to the UI as engine events carrying the
//! kind and its arguments (the UI words them in its language); popups go to the notifier, worded
//! here in the app's language, and to a banner instead when the OS cannot show them.

use chrono::Utc;
use ordertray_core::alerts::{AlertArgs, AlertKind, Burst};
use ordertray_core::notify_text::{self, Lang};
use ordertray_core::timeline::EffectWords;
use ordertray_core::{AppError, EngineEvent};

use crate::notifier::Notification;
use crate::Engine;

/// How long an engine that stops waits for its last popups to reach the OS.
const POPUPS_AT_EXIT: std::time::Duration = std::time::Duration::from_secs(5);

/// What an announcement is about; the text is written when it is shown, in the language of then.
#[derive(Debug, Clone, Default)]
pub struct AlertPayload {
    pub marketplace: String,
    pub account: String,
    /// The (first) order's number, or what failed.
    pub number: String,
    pub order_id: Option<i64>,
    /// The error, the rule's name: whatever the kind needs besides the above.
    pub detail: String,
    /// When `detail` is an error: its words, for the UI to word it.
    pub error: Option<ordertray_core::ErrorWords>,
    /// When `detail` is an error: its kind, which a popup in Russian or Polish names.
    pub error_code: Option<ordertray_core::ErrorCode>,
    /// The marketplace call that could not be sent (a failed update).
    pub effect: Option<EffectWords>,
    /// A popup's burst holds events of more than one account: it names none.
    pub several_accounts: bool,
}

impl ordertray_core::alerts::Absorb for AlertPayload {
    fn absorb(&mut self, later: &Self) {
        if (&later.marketplace, &later.account) != (&self.marketplace, &self.account) {
            self.several_accounts = true;
        }
    }
}

impl AlertPayload {
    /// An announcement about this account (the account may be gone by the time it is written).
    pub fn about(account: Option<&ordertray_core::Account>) -> Self {
        Self {
            marketplace: account
                .map(|a| ordertray_connectors::registry::spec(&a.kind).name.to_string())
                .unwrap_or_default(),
            account: account.map(|a| a.name.clone()).unwrap_or_default(),
            ..Default::default()
        }
    }

    /// The plain values the UI words the banner from.
    fn args(&self) -> AlertArgs {
        AlertArgs {
            marketplace: self.marketplace.clone(),
            account: self.account.clone(),
            number: self.number.clone(),
            detail: self.detail.clone(),
            error: self.error.clone(),
            effect: self.effect.clone(),
        }
    }
}

impl Engine {
    /// Announces `count` events of `kind` the way the manager chose.
    pub async fn alert(&self, kind: AlertKind, count: usize, payload: AlertPayload) {
        let settings = match self.settings().await {
            Ok(s) => s.alerts,
            Err(e) => {
                tracing::warn!(error = %e, "alert settings unreadable; using defaults");
                Default::default()
            }
        };
        let channels = settings.channels_at(kind, chrono::Local::now().time());
        let popup = channels.popup && self.0.notifications_ok;
        // Without OS popups the window is the only place the manager can learn of it.
        let banner = channels.in_app || (channels.popup && !self.0.notifications_ok);
        if banner {
            self.emit(EngineEvent::Alert {
                kind,
                count: u32::try_from(count).unwrap_or(u32::MAX),
                args: Box::new(payload.args()),
                order_id: payload.order_id,
            });
        }
        if popup {
            let shown = {
                let mut c = self.0.coalescer.lock().expect("coalescer poisoned");
                c.set_window(chrono::Duration::seconds(settings.coalesce_seconds.into()));
                c.offer(Utc::now(), kind, count, payload)
            };
            if let Some(burst) = shown {
                self.show_burst(burst, channels.sound);
            }
        }
    }

    /// Shows held bursts whose window has passed (called on a timer), unless it is quiet now.
    pub async fn flush_alerts(&self) {
        let due = self
            .0
            .coalescer
            .lock()
            .expect("coalescer poisoned")
            .due(Utc::now());
        self.show_held(due).await;
    }

    /// For a process about to end (a command-line run): the bursts still held for the coalescing
    /// window are shown now, else nobody would announce what they stand for, and the popups on
    /// their way to the OS get a few seconds to arrive. Not for a restore, whose held popups are
    /// about the database being replaced.
    pub async fn show_held_alerts_now(&self) {
        let held = self.0.coalescer.lock().expect("coalescer poisoned").take_held();
        self.show_held(held).await;
        let mut popups = std::mem::take(&mut *self.0.popups.lock().expect("popups poisoned"));
        let all_shown = async { while popups.join_next().await.is_some() {} };
        if tokio::time::timeout(POPUPS_AT_EXIT, all_shown).await.is_err() {
            tracing::warn!("the notification server did not answer; popups may be missing");
        }
    }

    async fn show_held(&self, due: Vec<Burst<AlertPayload>>) {
        if due.is_empty() {
            return;
        }
        let settings = self.settings().await.map(|s| s.alerts).unwrap_or_default();
        for burst in due {
            let channels = settings.channels_at(burst.0, chrono::Local::now().time());
            if channels.popup {
                self.show_burst(burst, channels.sound);
            }
        }
    }

    fn show_burst(&self, (kind, count, payload): Burst<AlertPayload>, sound: bool) {
        self.popup(Notification {
            title: "Ordertray".into(),
            body: popup_text(self.lang(), kind, count, &payload),
            order_id: payload.order_id,
            sound,
        });
    }
}

/// A popup's text, in the app's language (the banner is worded by the UI).
fn popup_text(lang: Lang, kind: AlertKind, count: usize, p: &AlertPayload) -> String {
    let several = AlertPayload {
        marketplace: notify_text::several_accounts(lang).to_string(),
        account: String::new(),
        ..p.clone()
    };
    let p = if p.several_accounts { &several } else { p };
    match kind {
        AlertKind::NewOrder => notify_text::new_orders(lang, &p.marketplace, &p.account, &p.number, count),
        AlertKind::BuyerCancelled => {
            notify_text::orders_cancelled(lang, &p.marketplace, &p.account, &p.number, count)
        }
        AlertKind::PushFailed => {
            // The call's words are English; in another language the order's number says which.
            let what = match (lang, p.effect.as_ref()) {
                (Lang::En, Some(effect)) => effect.english(),
                _ => p.number.clone(),
            };
            let error = notify_text::error_kind(lang, p.error_code, &p.detail);
            notify_text::push_failed(lang, (&p.marketplace, &p.account), &what, &error)
        }
        AlertKind::SyncFailing => {
            let error = notify_text::error_kind(lang, p.error_code, &p.detail);
            notify_text::sync_failing(lang, &p.marketplace, &p.account, &error)
        }
        AlertKind::RuleRejected => notify_text::rule_rejected(lang, &p.detail, &p.number, count),
        AlertKind::StatusChanged => {
            notify_text::status_changed(lang, &p.marketplace, &p.account, &p.number, &p.detail, count)
        }
        AlertKind::ShipByNear => {
            notify_text::ship_by_near(lang, &p.marketplace, &p.account, &p.number, count)
        }
        AlertKind::ShipByOverdue => {
            notify_text::ship_by_overdue(lang, &p.marketplace, &p.account, &p.number, count)
        }
    }
}

impl Engine {
    /// After a sync run: announce a failure streak once it has lasted the configured minutes,
    /// once per streak whichever process runs the syncs (the claim is kept in the database, and a
    /// run that works ends the streak there) and can show it.
    pub(crate) async fn note_sync_outcome(
        &self,
        account: &ordertray_core::Account,
        error: Option<&AppError>,
    ) {
        // A sync that worked ended the streak in the database (and with it its announcement).
        let Some(error) = error else {
            return;
        };
        let (Ok(health), Ok(settings)) = (self.0.store.health(account.id).await, self.settings().await)
        else {
            return;
        };
        let limit = chrono::Duration::minutes(settings.alerts.sync_failing_minutes.into());
        let long_enough = health
            .failing_since
            .is_some_and(|since| Utc::now() - since >= limit);
        let first_time = long_enough
            && self.0.notifier.reaches_manager()
            && self
                .0
                .store
                .claim_failing_announcement(account.id)
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(account = account.id, error = %e, "failing sync not announced");
                    false
                });
        if first_time {
            let payload = AlertPayload {
                detail: error.message.clone(),
                error: error.words.as_deref().cloned(),
                error_code: Some(error.code),
                ..AlertPayload::about(Some(account))
            };
            self.alert(AlertKind::SyncFailing, 1, payload).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use ordertray_core::alerts::Absorb;

    use super::*;

    fn new_order(account: &str, number: &str) -> AlertPayload {
        AlertPayload {
            marketplace: "Market".into(),
            account: account.into(),
            number: number.into(),
            ..Default::default()
        }
    }

    /// A popup standing for new orders of two accounts named the first one's account for all.
    #[test]
    fn a_popup_for_several_accounts_names_none_of_them() {
        let mut burst = new_order("Shop A", "0570-1");
        burst.absorb(&new_order("Shop A", "0570-2"));
        assert_eq!(
            popup_text(Lang::En, AlertKind::NewOrder, 2, &burst),
            "2 new orders — Market «Shop A»: 0570-1 …"
        );
        burst.absorb(&new_order("Shop B", "0999-1"));
        burst.absorb(&new_order("Shop A", "0570-3"));
        assert_eq!(
            popup_text(Lang::En, AlertKind::NewOrder, 4, &burst),
            "4 new orders — several accounts: 0570-1 …"
        );
        assert_eq!(
            popup_text(Lang::Ru, AlertKind::BuyerCancelled, 4, &burst),
            "несколько аккаунтов: заказ 0570-1 отменён на маркетплейсе (и ещё 3)"
        );
        assert!(
            popup_text(Lang::Pl, AlertKind::PushFailed, 4, &burst).starts_with("kilka kont: "),
            "{}",
            popup_text(Lang::Pl, AlertKind::PushFailed, 4, &burst)
        );
    }
}
