//! Gettzap (see shared/api-notes/gettzap.md): orders are **pushed** by Gettzap to an intake address
//! the shop gives it (served by the engine, see `ordertray_engine::intake`), so there is nothing to
//! poll; decisions and shop statuses go back per position with a comment through
//! [`client::GettzapClient`], whose call is an **unverified assumption**: Gettzap publishes neither
//! the push format nor the status call. The status dictionary is the list the manager keeps in the
//! account's settings.

pub mod client;
mod parse;
mod push;
mod settings;
mod spec;

pub use settings::{
    GettzapSettings, GETTZAP_DEFAULT_CANCEL_STATUSES, GETTZAP_DEFAULT_STATUSES, GETTZAP_INTAKE_TOKEN,
};

use async_trait::async_trait;
use ordertray_core::templates::MarketplaceStatus;
use ordertray_core::{Account, ConnectionReport, Credentials, Effect};

use crate::{ConnectorError, EffectSink, IntegrationClient};
use client::{GettzapClient, StatusCall};

pub use client::STATUS_PATH;
pub use parse::{body_to_json, parse_push, Pushed};
pub use push::GettzapPush;
pub(crate) use spec::SPEC;

/// Said wherever the integration is shown: nothing of it is checked against a published spec.
pub const FORMAT_UNVERIFIED: &str =
    "Gettzap does not publish its order push or status format: this integration is unverified";

pub struct GettzapConnector {
    client: GettzapClient,
    statuses: Vec<String>,
}

impl GettzapConnector {
    pub fn new(account: &Account, credentials: Credentials, http: reqwest::Client) -> Self {
        let settings: &GettzapSettings = &crate::registry::settings_of(account);
        Self {
            client: GettzapClient::new(
                http,
                account.base_url.clone(),
                settings.login.clone(),
                (
                    credentials.get("password").cloned(),
                    credentials.get("api_key").cloned(),
                ),
            ),
            statuses: settings.statuses.clone(),
        }
    }
}

#[async_trait]
impl IntegrationClient for GettzapConnector {
    /// Nothing can be checked without a published call: says so rather than pretending.
    async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError> {
        Ok(ConnectionReport {
            ok: true,
            message: format!(
                "{FORMAT_UNVERIFIED}; the login, password and API key are kept but could not be \
                 checked. Orders arrive at the intake address once it is pasted into Gettzap."
            ),
            expires_at: None,
        })
    }

    // Gettzap pushes its orders (see `push`): no pull call is public, so no order source.

    fn effect_sink(&self) -> Option<&dyn EffectSink> {
        Some(self)
    }
}

#[async_trait]
impl EffectSink for GettzapConnector {
    async fn push(&self, effect: &Effect) -> Result<(), ConnectorError> {
        let Effect::SetLineStatus {
            order_external_id,
            line_external_id,
            status,
            comment,
            ..
        } = effect
        else {
            return Err(ConnectorError::Rejected {
                status: 0,
                message: format!("Gettzap has no call for «{}»", effect.describe()),
            });
        };
        self.client
            .set_status(&StatusCall {
                order_id: order_external_id,
                position_id: line_external_id,
                status,
                comment,
            })
            .await
    }

    // No read-back call is known and Gettzap takes no cancel reason: the trait's defaults.

    /// The statuses the manager listed for the account (Gettzap's own list is not public).
    async fn status_dictionary(&self) -> Result<Vec<MarketplaceStatus>, ConnectorError> {
        Ok(self
            .statuses
            .iter()
            .map(|s| MarketplaceStatus {
                code: s.clone(),
                name: s.clone(),
            })
            .collect())
    }
}
