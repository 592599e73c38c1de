//! Ozon's account settings: what the manager sets in the account form, and what it means for
//! decisions, ingest and shop orders.

use ordertray_core::{AppError, ErrorWords, IntegrationSettings, ValueFormat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::registry::clean_env;

/// Ozon's seller reason 352: "product is out of stock at the seller".
pub const OZON_DEFAULT_CANCEL_REASON: i64 = 352;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OzonSettings {
    pub client_id: String,
    /// Cancel reason sent with product-cancel and posting-cancel calls.
    #[serde(default = "default_cancel_reason")]
    pub cancel_reason_id: i64,
    /// Required by Ozon for reason 402 ("other"); sent with every cancel when not empty.
    #[serde(default)]
    pub cancel_reason_message: String,
    /// Send the ship (package) call once every line of a posting is accepted.
    #[serde(default = "yes")]
    pub ship_on_accept: bool,
    /// CLI only: the Api-Key is read at run time from this environment variable and never stored.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Set the order's paid flag when it reaches the shop status mapped to Ozon "delivered".
    #[serde(default)]
    pub paid_on_delivered: bool,
    /// Also import postings first seen already in `awaiting_deliver` or later (assembled in the
    /// seller cabinet): they arrive accepted, with no ship call. Off: such postings are not
    /// imported.
    #[serde(default)]
    pub import_awaiting_deliver: bool,
    /// Also import FBO postings (Ozon stores and ships them): read-only orders for All orders and
    /// the charts, never in the inbox, never triaged, no calls back to Ozon, no popups.
    #[serde(default)]
    pub import_fbo: bool,
    /// Written on every order made from this account's postings; empty writes "Ozon".
    #[serde(default)]
    pub source_label: String,
    /// Every order goes on this customer; None matches or creates one from the posting as usual.
    #[serde(default)]
    pub fixed_customer_id: Option<i64>,
    /// Where the posting number goes on the shop order.
    #[serde(default)]
    pub posting_number_to: PostingNumberField,
    /// Which date the shop order gets.
    #[serde(default)]
    pub order_date: OrderDateSource,
    /// Delivery method written on imported orders (empty: none).
    #[serde(default)]
    pub default_delivery_method: String,
    /// Payment method written on imported orders (None: prepaid, as Ozon's buyers pay Ozon).
    #[serde(default)]
    pub default_payment_method: Option<ordertray_core::cabinet::PaymentMethod>,
    /// Sync at fixed times from this time of day ("HH:MM", local), every interval after it;
    /// None polls every interval from the app's start.
    #[serde(default)]
    pub sync_start_time: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PostingNumberField {
    /// The shop order's number is the posting number.
    #[default]
    OrderNumber,
    /// The shop order gets its own number (its creation time); the posting number goes in the
    /// recipient's name (for shops that look orders up by name).
    BuyerName,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OrderDateSource {
    /// When the posting was first loaded from Ozon.
    #[default]
    Loaded,
    /// When the buyer placed it on Ozon (`in_process_at`).
    PlacedOnOzon,
}

fn default_cancel_reason() -> i64 {
    OZON_DEFAULT_CANCEL_REASON
}
fn yes() -> bool {
    true
}

impl OzonSettings {
    pub fn new(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            cancel_reason_id: OZON_DEFAULT_CANCEL_REASON,
            cancel_reason_message: String::new(),
            ship_on_accept: true,
            api_key_env: None,
            paid_on_delivered: false,
            import_awaiting_deliver: false,
            import_fbo: false,
            source_label: String::new(),
            fixed_customer_id: None,
            posting_number_to: PostingNumberField::OrderNumber,
            order_date: OrderDateSource::Loaded,
            default_delivery_method: String::new(),
            default_payment_method: None,
            sync_start_time: None,
        }
    }
}

impl IntegrationSettings for OzonSettings {
    fn validate(&mut self) -> Result<(), AppError> {
        let s = self;
        s.client_id = s.client_id.trim().to_string();
        if s.client_id.is_empty() || !s.client_id.chars().all(|c| c.is_ascii_digit()) {
            return Err(AppError::refused(ErrorWords::bad_format(
                "client_id",
                "Client-Id",
                &s.client_id,
                ValueFormat::Numbers,
            )));
        }
        if s.cancel_reason_id <= 0 {
            return Err(AppError::refused(ErrorWords::bad_format(
                "cancel_reason_id",
                "Cancel reason",
                &s.cancel_reason_id.to_string(),
                ValueFormat::MarketplaceId,
            )));
        }
        s.source_label = s.source_label.trim().to_string();
        s.default_delivery_method = s.default_delivery_method.trim().to_string();
        s.sync_start_time = s
            .sync_start_time
            .take()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        if let Some(t) = &s.sync_start_time {
            if chrono::NaiveTime::parse_from_str(t, "%H:%M").is_err() {
                return Err(AppError::refused(ErrorWords::bad_format(
                    "sync_start_time",
                    "Sync start time",
                    t,
                    ValueFormat::Time24h,
                )));
            }
        }
        clean_env(&mut s.api_key_env);
        Ok(())
    }

    fn secret_env(&self, field: &str) -> Option<&str> {
        match field {
            "api_key" => self.api_key_env.as_deref(),
            _ => None,
        }
    }

    fn reads_secrets_from_env(&self) -> bool {
        self.api_key_env.is_some()
    }

    fn policy(&self) -> ordertray_core::AccountPolicy {
        let source_label = if self.source_label.is_empty() {
            "Ozon".to_string()
        } else {
            self.source_label.clone()
        };
        let path = |key: &str, path: &str| (key.to_string(), path.to_string());
        ordertray_core::AccountPolicy {
            decides_by_line_status: false,
            cancel_reason: ordertray_core::CancelReason {
                id: self.cancel_reason_id,
                message: self.cancel_reason_message.clone(),
            },
            ship_on_accept: self.ship_on_accept,
            ingest: ordertray_core::IngestPolicy {
                // Assembled in the seller cabinet (Ozon no longer offers the ship call), or further
                // on: a posting first seen there (a first sync reading the week's changes, the app
                // closed while it was handled in the cabinet) is no line to decide.
                decided_elsewhere: Some(ordertray_core::DecidedElsewhere {
                    statuses: OZON_DECIDED_STATUSES.iter().map(|s| s.to_string()).collect(),
                    import: self.import_awaiting_deliver,
                }),
                accept_on_arrival: false,
                shop_currency_only: false,
                catalog: None,
            },
            shop_order: Some(ordertray_core::ShopOrderPolicy {
                source_label,
                number_to_recipient: self.posting_number_to == PostingNumberField::BuyerName,
                date_placed: self.order_date == OrderDateSource::PlacedOnOzon,
                fixed_customer_id: self.fixed_customer_id,
                default_delivery_method: self.default_delivery_method.clone(),
                default_payment_method: self.default_payment_method,
                paid_on_delivered: self.paid_on_delivered,
                // Barcodes and cargo places (packages) of the posting as last read.
                extra: vec![
                    path("barcodes", "$.barcodes"),
                    path("cargo_places", "$.multi_box_qty"),
                    path("tpl_integration_type", "$.tpl_integration_type"),
                ],
                // realFBS postings the seller delivers take the tracking number back.
                tracking_back: Some(ordertray_core::TrackingBack {
                    path: "$.tpl_integration_type".into(),
                    value: "non_integrated".into(),
                    read_only_refusal: "Posting {number} is FBO: Ozon stores and delivers it, and \
                        takes no tracking number from the seller"
                        .into(),
                    other_delivery_refusal: "Posting {number} is delivered by Ozon's own \
                        logistics: Ozon takes tracking numbers only for postings the seller \
                        delivers (realFBS)"
                        .into(),
                }),
            }),
            needs_write_off: None,
            decisions_stay_local: false,
            transfer: None,
        }
    }

    fn sync_start_time(&self) -> Option<&str> {
        self.sync_start_time.as_deref()
    }
}

/// Ozon's status for a posting assembled and waiting to be handed over.
pub const OZON_AWAITING_DELIVER: &str = "awaiting_deliver";
/// Statuses a posting reaches only after the seller assembled it.
pub const OZON_DECIDED_STATUSES: &[&str] = &[
    OZON_AWAITING_DELIVER,
    "sent_by_seller",
    "delivering",
    "driver_pickup",
    "delivered",
    "not_accepted",
];
