//! Orders Gettzap pushes to the intake: the account's intake token proves the sender, the body is
//! read by [`super::parse_push`].

use chrono::{DateTime, Utc};
use ordertray_core::Account;

use super::{GettzapSettings, GETTZAP_INTAKE_TOKEN};
use serde_json::json;

use crate::push::{
    verify_token, InboundHead, InboundRequest, PushKey, PushRefusal, PushSource, PushUnreadable, Pushed,
};
use crate::Page;

pub struct GettzapPush {
    /// The account's settings: which pushed statuses mean the buyer cancelled.
    settings: GettzapSettings,
}

impl GettzapPush {
    pub fn new(account: &Account) -> Self {
        Self {
            settings: crate::registry::settings_of(account),
        }
    }
}

impl PushSource for GettzapPush {
    fn auth_field(&self) -> &'static str {
        GETTZAP_INTAKE_TOKEN
    }

    fn verify(&self, head: &InboundHead<'_>, key: &PushKey) -> Result<(), PushRefusal> {
        verify_token(head, key)
    }

    fn parse(
        &self,
        request: &InboundRequest<'_>,
        received_at: DateTime<Utc>,
    ) -> Result<Pushed, PushUnreadable> {
        let is_cancel = |s: &str| self.settings.is_cancel_status(s);
        let doc =
            super::body_to_json(request.content_type, request.body).map_err(|reason| PushUnreadable {
                reason,
                raw: json!({
                    "content_type": request.content_type,
                    "body": String::from_utf8_lossy(request.body),
                }),
            })?;
        match super::parse_push(&doc, &is_cancel, received_at) {
            Ok(pushed) => Ok(Pushed::Orders(Page {
                orders: pushed.orders,
                quarantined: pushed.quarantined,
                next_cursor: String::new(),
                done: true,
                ..Default::default()
            })),
            Err(reason) => Err(PushUnreadable { reason, raw: doc }),
        }
    }
}
