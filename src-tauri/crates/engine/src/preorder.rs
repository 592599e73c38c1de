//! Pre-orders completed by their buyers: the link the manager sends (long, random, single-use,
//! expiring; only its SHA-256 is stored), what the buyer's page shows, and the completion.

use chrono::{DateTime, Duration, Utc};
use ordertray_core::alerts::AlertKind;
use ordertray_core::cabinet::{DraftProblem, OrderItem, ShopOrderFull};
use ordertray_core::preorder::{BuyerForm, PreorderLinkView};
use ordertray_core::timeline::TimelineEvent;
use ordertray_core::{sha256_hex, AppError, EngineEvent, ErrorCode, ErrorWords};
use rust_decimal::Decimal;

use crate::alerts::AlertPayload;
use crate::{Engine, Result};

/// The path of the buyer's page under the intake's address.
pub const PREORDER_PATH: &str = "/preorder";

/// What the buyer's page shows: that order's items and totals, nothing else of the shop.
#[derive(Debug, Clone, PartialEq)]
pub struct PreorderPage {
    pub number: String,
    pub items: Vec<OrderItem>,
    pub items_total: Decimal,
    pub delivery_method: Option<String>,
    pub delivery_cost: Decimal,
    pub total: Decimal,
    pub currency: String,
    /// Whether the order's delivery method takes a card on delivery.
    pub card_on_delivery: bool,
}

/// Why a completion was not saved.
#[derive(Debug)]
pub enum PreorderRefusal {
    /// Unknown, replaced, used or expired: the page says the link no longer works.
    Gone,
    /// The buyer's answers, each field's problem.
    Problems(Vec<DraftProblem>),
    Failed(AppError),
}

impl From<AppError> for PreorderRefusal {
    fn from(e: AppError) -> Self {
        Self::Failed(e)
    }
}

/// A token: 32 random bytes from the OS, as hex.
fn new_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("no randomness for a link: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Only well-formed tokens reach the database: 64 hex digits.
fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Engine {
    pub async fn preorder_link(&self, shop_order_id: i64) -> Result<PreorderLinkView> {
        self.preorder_link_at(shop_order_id, Utc::now()).await
    }

    /// A new link for the pre-order's buyer (the one it had stops working); needs the intake on
    /// with a public address, where the page is served.
    pub async fn preorder_link_at(&self, shop_order_id: i64, now: DateTime<Utc>) -> Result<PreorderLinkView> {
        let intake = match self.intake_in_effect().await? {
            Some(s) if !s.public_url.is_empty() => s,
            _ => return Err(AppError::refused(ErrorWords::PreorderLinkNeedsIntake {})),
        };
        let order = self.0.store.shop_order_without_timeline(shop_order_id).await?;
        if !order.draft.preorder {
            return Err(AppError::refused(ErrorWords::NotAPreorder {
                number: order.draft.number,
            }));
        }
        let token = new_token()?;
        let expires_at = now + Duration::days(intake.preorder_link_days.into());
        self.0
            .store
            .set_preorder_link(shop_order_id, &sha256_hex(token.as_bytes()), now, expires_at)
            .await?;
        Ok(PreorderLinkView {
            url: format!("{}{PREORDER_PATH}/{token}", intake.public_url),
            expires_at,
        })
    }

    async fn live_link(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> std::result::Result<(ordertray_store::PreorderLink, ShopOrderFull), PreorderRefusal> {
        if !well_formed(token) {
            return Err(PreorderRefusal::Gone);
        }
        let link = self
            .0
            .store
            .preorder_link(&sha256_hex(token.as_bytes()))
            .await
            .map_err(AppError::from)?
            .ok_or(PreorderRefusal::Gone)?;
        if link.used_at.is_some() || link.expires_at <= now {
            return Err(PreorderRefusal::Gone);
        }
        let order = self
            .0
            .store
            .shop_order_without_timeline(link.shop_order_id)
            .await
            .map_err(AppError::from)?;
        if !order.draft.preorder {
            return Err(PreorderRefusal::Gone);
        }
        Ok((link, order))
    }

    /// The page of a link that still works.
    pub async fn preorder_page_at(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> std::result::Result<PreorderPage, PreorderRefusal> {
        let (_, order) = self.live_link(token, now).await?;
        let methods = self.settings().await?.delivery_methods;
        let d = order.draft;
        let method = d.method(&methods);
        Ok(PreorderPage {
            items_total: d.items_total(),
            total: d.total(),
            delivery_method: method.map(|m| m.name.clone()),
            card_on_delivery: method.is_none_or(|m| m.card_on_delivery),
            number: d.number,
            items: d.items,
            delivery_cost: d.delivery_cost,
            currency: d.currency,
        })
    }

    /// The buyer's answers complete the pre-order: it becomes a new order, the manager is alerted
    /// as for any new order, and the link stops working. Problems leave the link as it was.
    pub async fn complete_preorder_at(
        &self,
        token: &str,
        form: &BuyerForm,
        now: DateTime<Utc>,
    ) -> std::result::Result<ShopOrderFull, PreorderRefusal> {
        let (link, order) = self.live_link(token, now).await?;
        let methods = self.settings().await?.delivery_methods;
        let draft = form
            .complete(&order.draft, &methods)
            .map_err(PreorderRefusal::Problems)?;
        let saved = self
            .0
            .store
            .complete_preorder_by_link(&link, &draft, &TimelineEvent::PreorderCompleted {}, now)
            .await
            .map_err(AppError::from)?;
        if !saved {
            return Err(PreorderRefusal::Gone);
        }
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        self.alert(
            AlertKind::NewOrder,
            1,
            AlertPayload {
                marketplace: "Ordertray".into(),
                account: ordertray_core::notify_text::preorder_link_source(self.lang()).into(),
                number: draft.number.clone(),
                order_id: Some(order.id),
                ..Default::default()
            },
        )
        .await;
        Ok(self.shop_order_full(order.id).await?)
    }
}
