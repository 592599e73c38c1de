//! Ship-by alerts: an order still waiting for a decision is announced once when its deadline is
//! within the configured minutes ("ship-by near") and once when it has passed ("overdue"),
//! through the manager's alert settings. The time is passed in (`check_ship_by_at`): the
//! background task gives the wall clock, tests give a fake one.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use ordertray_core::alerts::AlertKind;
use ordertray_core::AccountId;
use ordertray_store::{ShipByDue, ShipByStage};

use crate::{AlertPayload, Engine, Result};

impl Engine {
    /// Announces the orders whose ship-by alert is due at `now`: one announcement per kind and
    /// account, naming the most urgent order and counting the rest. Returns the orders announced.
    pub async fn check_ship_by_at(&self, now: DateTime<Utc>) -> Result<Vec<ShipByDue>> {
        let settings = self.settings().await?.alerts;
        let near = Duration::minutes(settings.ship_by_near_minutes.into());
        let due = self.0.store.take_ship_by_due(now, near).await?;
        let mut groups: BTreeMap<(AlertKind, AccountId), Vec<&ShipByDue>> = BTreeMap::new();
        for d in &due {
            let kind = match d.stage {
                ShipByStage::Near => AlertKind::ShipByNear,
                ShipByStage::Overdue => AlertKind::ShipByOverdue,
            };
            groups.entry((kind, d.account_id)).or_default().push(d);
        }
        for ((kind, account_id), orders) in groups {
            let first = orders[0];
            let account = self.0.store.account(account_id).await.ok();
            let payload = AlertPayload {
                number: first.number.clone(),
                order_id: Some(first.order_id),
                detail: first.ship_by.to_rfc3339_opts(SecondsFormat::Secs, true),
                ..AlertPayload::about(account.as_ref())
            };
            self.alert(kind, orders.len(), payload).await;
        }
        Ok(due)
    }

    /// [`Engine::check_ship_by_at`] with the wall clock (the background task's call).
    pub async fn check_ship_by(&self) -> Result<Vec<ShipByDue>> {
        self.check_ship_by_at(Utc::now()).await
    }
}
