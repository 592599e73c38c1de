//! "Try demo": a simulated Ozon on loopback, a demo account pointing at it, and a generator that
//! adds a posting every ~20 s. Demo data is labelled (`demo` on the account) and removable.
//! The simulated marketplace is linked only with the `demo` feature (the shell and the CLI turn
//! it on); without it, starting the demo says so and the fakes stay out of the build.

#[cfg(feature = "demo")]
use std::time::Duration;

use ordertray_connectors::ozon::OzonSettings;
use ordertray_core::{Account, AccountDraft, EngineEvent};
#[cfg(feature = "demo")]
use ordertray_fakes::ozon::{FakeOzon, FakeOzonConfig, FakeOzonHandle};
use tokio::task::JoinHandle;

use crate::{Engine, Result};

pub const DEMO_CLIENT_ID: &str = "100000";
/// Not a secret: the simulated marketplace accepts only this key, and only on loopback.
pub const DEMO_API_KEY: &str = "demo-api-key";
#[cfg(feature = "demo")]
const DEMO_EVERY: Duration = Duration::from_secs(20);
#[cfg(feature = "demo")]
const DEMO_SEED: usize = 3;

pub(crate) struct DemoRuntime {
    #[cfg(feature = "demo")]
    fake: FakeOzonHandle,
    generator: JoinHandle<()>,
}

impl DemoRuntime {
    pub(crate) fn stop(self) {
        self.generator.abort();
        #[cfg(feature = "demo")]
        self.fake.shutdown();
    }

    fn base_url(&self) -> String {
        #[cfg(feature = "demo")]
        return self.fake.base_url();
        #[cfg(not(feature = "demo"))]
        unreachable!("no demo runtime starts without the demo feature")
    }

    fn seed(&self) {
        #[cfg(feature = "demo")]
        self.fake.generate_postings(DEMO_SEED, 3);
    }
}

impl Engine {
    /// Starts the simulated marketplace and the demo account (idempotent).
    pub async fn start_demo(&self) -> Result<Account> {
        let mut demo = self.0.demo.lock().await;
        let existing = self.0.store.accounts().await?.into_iter().find(|a| a.demo);
        if let (Some(account), Some(_)) = (&existing, demo.as_ref()) {
            return Ok(account.clone());
        }
        let runtime = start_fake().await?;
        let fresh = existing.is_none();
        let account = match existing {
            Some(a) => {
                self.0.store.set_base_url(a.id, &runtime.base_url()).await?;
                self.0.store.account(a.id).await?
            }
            None => {
                let mut settings = OzonSettings::new(DEMO_CLIENT_ID);
                settings.cancel_reason_id = 352;
                let draft = AccountDraft {
                    name: "Demo — Ozon".into(),
                    region: String::new(),
                    active: true,
                    interval_secs: 10,
                    base_url: Some(runtime.base_url()),
                    settings: settings.into(),
                };
                self.0.store.insert_account(&draft, true).await?
            }
        };
        if fresh {
            runtime.seed();
        }
        *demo = Some(runtime);
        drop(demo);
        self.reschedule(&account);
        self.emit(EngineEvent::AccountHealth {
            account_id: account.id,
        });
        Ok(account)
    }

    /// Removes demo accounts with all their data and stops the simulated marketplace.
    pub async fn remove_demo(&self) -> Result<()> {
        for account in self.0.store.accounts().await?.into_iter().filter(|a| a.demo) {
            self.delete_account(account.id).await?;
        }
        if let Some(runtime) = self.0.demo.lock().await.take() {
            runtime.stop();
        }
        Ok(())
    }

    /// After a restart the demo account's marketplace is started again on a new port.
    pub(crate) async fn restore_demo(&self) -> Result<()> {
        if self.0.store.accounts().await?.iter().any(|a| a.demo) {
            self.start_demo().await?;
        }
        Ok(())
    }
}

#[cfg(not(feature = "demo"))]
async fn start_fake() -> Result<DemoRuntime> {
    Err(ordertray_core::AppError::refused(
        ordertray_core::ErrorWords::DemoNotBuilt {},
    ))
}

#[cfg(feature = "demo")]
async fn start_fake() -> Result<DemoRuntime> {
    let config = FakeOzonConfig::new(DEMO_CLIENT_ID, DEMO_API_KEY);
    let fake = FakeOzon::start(config).await.map_err(|e| {
        ordertray_core::AppError::said(
            ordertray_core::ErrorCode::Internal,
            ordertray_core::ErrorWords::DemoFailed {
                detail: e.to_string(),
            },
        )
    })?;
    let generator = fake.spawn_generator(DEMO_EVERY, 1..=3);
    Ok(DemoRuntime { fake, generator })
}

/// An inactive account of the demo's marketplace kind pointing at a closed port, polled every
/// minute (unit tests).
#[cfg(test)]
pub(crate) fn test_draft(client_id: &str) -> AccountDraft {
    AccountDraft {
        name: "Shop".into(),
        region: String::new(),
        active: false,
        interval_secs: 60,
        base_url: Some("http://127.0.0.1:9".into()),
        settings: OzonSettings::new(client_id).into(),
    }
}

/// The secrets [`test_draft`]'s account takes.
#[cfg(test)]
pub(crate) fn test_secrets(api_key: &str) -> std::collections::HashMap<String, String> {
    std::collections::HashMap::from([("api_key".to_string(), api_key.to_string())])
}
