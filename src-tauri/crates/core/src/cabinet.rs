//! "All orders": the shop's order as the cabinet edits it (recipient, items, payment, delivery),
//! the filters and keyset pages the list is read in, and the checks a hand-made order must pass.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::account::{AccountId, AccountKind};
use crate::address::Address;
use crate::delivery::DeliveryMethod;
use crate::statuses::StatusGroup;
use crate::views::EventView;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OrderType {
    #[default]
    Standard,
    /// Direct / through delivery: the supplier ships to the buyer.
    Through,
    Export,
}

impl OrderType {
    pub const ALL: [OrderType; 3] = [OrderType::Standard, OrderType::Through, OrderType::Export];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderType::Standard => "standard",
            OrderType::Through => "through",
            OrderType::Export => "export",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PaymentMethod {
    CashOnDelivery,
    CardOnDelivery,
    CardOnline,
    Prepaid,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 4] = [
        PaymentMethod::CashOnDelivery,
        PaymentMethod::CardOnDelivery,
        PaymentMethod::CardOnline,
        PaymentMethod::Prepaid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::CashOnDelivery => "cash_on_delivery",
            PaymentMethod::CardOnDelivery => "card_on_delivery",
            PaymentMethod::CardOnline => "card_online",
            PaymentMethod::Prepaid => "prepaid",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A period counted back from now (the export dialog's and CLI's choices).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Period {
    Month,
    #[serde(rename = "3months")]
    ThreeMonths,
    Year,
    #[default]
    All,
}

impl Period {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "month" => Period::Month,
            "3months" => Period::ThreeMonths,
            "year" => Period::Year,
            "all" => Period::All,
            _ => return None,
        })
    }

    /// The first moment inside the period.
    pub fn since(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Period::Month => Some(now - Duration::days(30)),
            Period::ThreeMonths => Some(now - Duration::days(91)),
            Period::Year => Some(now - Duration::days(365)),
            Period::All => None,
        }
    }
}

/// The cabinet's filters; every field narrows, empty means "any". Serialised as the view state a
/// saved view reopens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct OrderFilter {
    pub status_ids: Vec<i64>,
    pub groups: Vec<StatusGroup>,
    pub payment: Vec<PaymentMethod>,
    pub paid: Option<bool>,
    pub types: Vec<OrderType>,
    pub account_ids: Vec<i64>,
    pub kinds: Vec<AccountKind>,
    /// Orders made by hand (no marketplace account).
    pub manual: bool,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Order number or recipient name, any part of it, any case.
    pub search: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SortColumn {
    #[default]
    Created,
    Number,
    Recipient,
    Total,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderSort {
    pub column: SortColumn,
    pub desc: bool,
}

impl Default for OrderSort {
    fn default() -> Self {
        Self {
            column: SortColumn::Created,
            desc: true,
        }
    }
}

/// Where the next page starts: the sort key and id of the last row seen (keyset pagination, so a
/// page never shifts when orders arrive above it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PageCursor {
    pub key: String,
    pub id: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct OrderPageQuery {
    pub filter: OrderFilter,
    pub sort: OrderSort,
    pub after: Option<PageCursor>,
    /// Rows per page (1–1000; 100 when 0).
    pub limit: u32,
}

/// One row of the cabinet's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CabinetRow {
    pub id: i64,
    pub number: String,
    pub created_at: DateTime<Utc>,
    pub status_id: Option<i64>,
    pub order_type: OrderType,
    pub payment_method: Option<PaymentMethod>,
    pub paid: bool,
    pub cod: bool,
    pub recipient_name: String,
    pub recipient_phone: String,
    pub account: Option<String>,
    pub account_kind: Option<AccountKind>,
    #[ts(type = "string")]
    pub total: Decimal,
    pub currency: String,
    pub items: i64,
    pub preorder: bool,
    pub transferred_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderPage {
    pub rows: Vec<CabinetRow>,
    /// Where the next page starts; absent on the last page. A page shorter than its limit, even
    /// an empty one, can carry it when its read [`stopped`](Self::stopped).
    pub next: Option<PageCursor>,
    /// Set for a search of one or two characters, which no index answers: how many orders this
    /// read went through in the list's order, whatever the other filters (a bounded number, see
    /// `Store::cabinet_page`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub orders_checked: Option<u32>,
    /// The read stopped after its bounded number of orders before its page was full: `next`
    /// goes on from the last one it checked.
    #[serde(default)]
    pub stopped: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StatusCount {
    /// None: orders without a status yet.
    pub status_id: Option<i64>,
    pub count: i64,
}

/// The statistics bar: orders per status under the filters other than status (so clicking a
/// status narrows the list to exactly that count).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CabinetStats {
    pub by_status: Vec<StatusCount>,
    pub total: i64,
    /// Set when a text search matched more orders than the bar counts ([`STATS_SEARCH_CAP`]):
    /// the counts are those of the newest `capped_at` matches, so `total` is `capped_at` and reads
    /// "5,000+", and each status count is a lower bound. Absent otherwise (every count exact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub capped_at: Option<i64>,
    /// Set when a search of one or two characters (which no index answers) was counted among
    /// the newest this many orders only (whatever the other filters), older ones not searched:
    /// each count is a lower bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub searched_newest: Option<i64>,
}

/// How many matches of a text search the statistics bar counts at most: counting every match of
/// a common fragment took 310 ms at a million orders (83,000 matches), 10,000 of them about 25 ms;
/// a manager reads "5,000+".
pub const STATS_SEARCH_CAP: i64 = 5_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderItem {
    /// None for an item not saved yet.
    pub id: Option<i64>,
    /// The marketplace line it stands for, on orders made from accepted lines.
    pub line_id: Option<i64>,
    /// The price-list offer it was picked from, when it was.
    pub offer_id: Option<i64>,
    pub article: String,
    pub brand: String,
    pub name: String,
    pub quantity: i64,
    #[ts(type = "string")]
    pub price: Decimal,
    /// Per unit, grams.
    pub weight_g: i64,
    /// Per unit, centimetres.
    pub length_cm: i64,
    pub width_cm: i64,
    pub height_cm: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct Recipient {
    pub name: String,
    pub phone: String,
    pub email: String,
}

/// An order as the create and edit forms hold it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ShopOrderDraft {
    /// Empty: the creation date-time (`YYYYMMDD-HHMMSS`).
    pub number: String,
    /// Items only, no recipient yet; completed into a full order later.
    pub preorder: bool,
    pub recipient: Recipient,
    #[serde(default)]
    pub address: Address,
    pub items: Vec<OrderItem>,
    /// Weight and dimensions follow the items; otherwise the typed ones count.
    pub auto_dimensions: bool,
    pub weight_g: i64,
    pub length_cm: i64,
    pub width_cm: i64,
    pub height_cm: i64,
    #[ts(type = "string")]
    pub declared_value: Decimal,
    /// The declared value follows the items until the manager types one (see
    /// [`ShopOrderDraft::followed`]).
    #[serde(default)]
    pub declared_value_auto: bool,
    pub cod: bool,
    /// What the courier collects, when the manager typed it; None: the order's total.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub cod_amount_typed: Option<Decimal>,
    pub payment_method: Option<PaymentMethod>,
    pub paid: bool,
    pub delivery_method: String,
    #[ts(type = "string")]
    pub delivery_cost: Decimal,
    pub order_type: OrderType,
    pub currency: String,
    /// Entered by the manager; sent to the marketplace for orders the seller delivers.
    #[serde(default)]
    pub tracking_number: String,
}

/// An order with everything the detail view shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ShopOrderFull {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub status_id: Option<i64>,
    pub account: Option<String>,
    pub account_kind: Option<AccountKind>,
    pub source_order_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub transferred_to: Option<String>,
    pub draft: ShopOrderDraft,
    /// Where the order came from (the account's source label); None for orders made by hand.
    pub source: Option<String>,
    /// Marketplace facts with no field of their own (barcodes, cargo places); null if none.
    #[ts(type = "Record<string, unknown> | null")]
    pub extra: serde_json::Value,
    /// Made from a posting the marketplace fulfils itself (from its own warehouse): nothing is sent back for it.
    pub read_only: bool,
    /// Every event of the order and of the marketplace order it came from, oldest first.
    pub timeline: Vec<EventView>,
    /// Where the order was sent (CRMs, delivery services), one entry per target.
    #[serde(default)]
    pub transfers: Vec<TransferView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TransferState {
    /// Queued or being sent.
    Pending,
    /// The target has it (made or updated there).
    Transferred,
    /// The target refused it, or it could not be sent: the target's words are on it.
    Problematic,
}

impl TransferState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Transferred => "transferred",
            Self::Problematic => "problematic",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "transferred" => Some(Self::Transferred),
            "problematic" => Some(Self::Problematic),
            _ => None,
        }
    }
}

/// One target an order was sent to, as the order's "In other systems" block lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TransferView {
    /// The target's account.
    pub account_id: AccountId,
    /// The target account's name.
    pub target: String,
    pub kind: AccountKind,
    /// The target's own id of the record made there.
    pub remote_id: Option<String>,
    /// Where the record opens in the target's web interface.
    pub link: Option<String>,
    pub state: TransferState,
    /// The target's own words, when the last sending failed (English for logs and the CLI).
    pub last_error: Option<String>,
    pub last_error_words: Option<crate::ErrorWords>,
    /// What the target made of it, as last read back.
    pub remote_status: Option<String>,
    pub tracking_number: Option<String>,
    pub history: Vec<RemoteHistoryEntry>,
    pub updated_at: DateTime<Utc>,
}

/// One order's transfer to one target, with the order's number (the bulk summary, the CLI).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderTransferView {
    pub order_id: i64,
    pub number: String,
    pub transfer: TransferView,
}

/// One operation in a target's history of a record (a delivery service's package).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RemoteHistoryEntry {
    pub at: Option<DateTime<Utc>>,
    pub text: String,
}

/// A system orders can be sent to: an account of a transfer integration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TransferTargetView {
    pub account_id: AccountId,
    pub name: String,
    pub kind: AccountKind,
    /// The integration's name, as its settings page shows it.
    pub kind_name: String,
    pub active: bool,
    /// Deleting an order here deletes (or cancels) its record there.
    pub deletes: bool,
    /// The target ships orders (a delivery service, a warehouse).
    pub ships: bool,
    pub rules: crate::TransferRules,
}

/// What reading transfers back came to.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct TransferRefreshReport {
    /// Transfers read back.
    pub read: u32,
    /// Transfers whose record the target no longer has.
    pub gone: u32,
    /// Transfers that could not be read, with the target's words.
    pub failed: Vec<TransferWarningText>,
}

/// An order's number with what went wrong for it, in words.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TransferWarningText {
    pub order_id: i64,
    pub number: String,
    pub target: String,
    pub error: crate::AppError,
}

/// What asking to send orders to a target came to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TransferRequestReport {
    /// Orders queued to go.
    pub queued: Vec<i64>,
    /// Orders held back until the manager confirms (nothing was queued when any is here).
    pub to_confirm: Vec<TransferWarning>,
}

/// Why an order is held back before sending: the manager confirms and sends again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TransferWarning {
    pub order_id: i64,
    pub number: String,
    pub reason: TransferConcern,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum TransferConcern {
    /// Already sent to another target that ships orders: both would ship it.
    ShipsTwice { other: String },
    /// Paid online but not paid yet: a delivery service would ship it without collecting.
    NotPaid {},
}

/// What an edit would change in delivery: shown for confirmation before it is saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EditPreview {
    pub weight_before_g: i64,
    pub weight_after_g: i64,
    #[ts(type = "string")]
    pub delivery_cost_before: Decimal,
    #[ts(type = "string")]
    pub delivery_cost_after: Decimal,
    #[ts(type = "string")]
    pub total_before: Decimal,
    #[ts(type = "string")]
    pub total_after: Decimal,
    /// The delivery cost changes: the form asks before saving.
    pub needs_confirmation: bool,
}

/// A field of the form that does not pass, with a message key the UI words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DraftProblem {
    pub field: String,
    /// "required", "declared_below_cod", "paid_with_cod", "no_items", "quantity", "price", "size",
    /// "email", "number", "cod_above_total"; from the delivery method: "postal_code_required", "no_card_on_delivery".
    pub code: String,
    pub message: String,
}

impl DraftProblem {
    pub fn new(field: &str, code: &str, message: String) -> Self {
        DraftProblem {
            field: field.into(),
            code: code.into(),
            message,
        }
    }
}

impl ShopOrderDraft {
    /// An empty hand-made order: number from the creation time, items to be added.
    pub fn empty() -> Self {
        Self {
            number: String::new(),
            preorder: false,
            recipient: Recipient::default(),
            address: Address::default(),
            items: vec![],
            auto_dimensions: true,
            weight_g: 0,
            length_cm: 0,
            width_cm: 0,
            height_cm: 0,
            declared_value: Decimal::ZERO,
            declared_value_auto: true,
            cod: false,
            cod_amount_typed: None,
            payment_method: None,
            paid: false,
            delivery_method: String::new(),
            delivery_cost: Decimal::ZERO,
            order_type: OrderType::Standard,
            currency: "RUB".into(),
            tracking_number: String::new(),
        }
    }

    /// Saturating, like every total here: an absurd stored amount shows as a huge total, it never
    /// panics the list or the form.
    pub fn items_total(&self) -> Decimal {
        self.items
            .iter()
            .map(|i| crate::order::line_total(i.price, i.quantity))
            .fold(Decimal::ZERO, Decimal::saturating_add)
    }

    /// Items plus delivery: what the order costs the buyer.
    pub fn total(&self) -> Decimal {
        self.items_total().saturating_add(self.delivery_cost)
    }

    /// What the courier collects on delivery: the typed amount, else the whole total.
    pub fn cod_amount(&self) -> Decimal {
        cod_amount(self.cod, self.cod_amount_typed, self.total())
    }

    /// Paid by card online and not paid yet: the shop waits for the money before it ships.
    pub fn awaiting_payment(&self) -> bool {
        self.payment_method == Some(PaymentMethod::CardOnline) && !self.paid
    }

    /// The values that follow others until typed: the declared value is the items' total, and
    /// never below what the courier collects (delivery services refuse a parcel declared below
    /// its cash on delivery).
    pub fn followed(mut self) -> Self {
        if self.declared_value_auto {
            self.declared_value = followed_declared_value(self.items_total(), self.cod_amount());
        }
        self
    }

    /// Weight and parcel size from the items: weights add up, items stack on their largest face.
    pub fn computed_size(&self) -> (i64, i64, i64, i64) {
        let mut weight = 0;
        let (mut length, mut width, mut height) = (0, 0, 0);
        for item in &self.items {
            let q = item.quantity.max(0);
            weight = item.weight_g.max(0).saturating_mul(q).saturating_add(weight);
            length = length.max(item.length_cm);
            width = width.max(item.width_cm);
            height = item.height_cm.max(0).saturating_mul(q).saturating_add(height);
        }
        (weight, length, width, height)
    }

    /// The draft with weight and size filled from the items when it says so.
    pub fn normalized(mut self) -> Self {
        if self.auto_dimensions {
            let (w, l, wi, h) = self.computed_size();
            (self.weight_g, self.length_cm, self.width_cm, self.height_cm) = (w, l, wi, h);
        }
        self.number = self.number.trim().to_string();
        self.address = self.address.with_text();
        self.tracking_number = self.tracking_number.trim().to_string();
        self.currency = if self.currency.trim().is_empty() {
            "RUB".into()
        } else {
            self.currency.trim().to_uppercase()
        };
        self.followed()
    }

    /// Every problem the form must show, empty when the order can be saved.
    pub fn problems(&self) -> Vec<DraftProblem> {
        let mut out = vec![];
        let mut add =
            |field: &str, code: &str, message: String| out.push(DraftProblem::new(field, code, message));
        if self.number.chars().count() > 64 {
            add(
                "number",
                "number",
                "The order number is longer than 64 characters".into(),
            );
        }
        if self.items.is_empty() {
            add("items", "no_items", "Add at least one item".into());
        }
        for (i, item) in self.items.iter().enumerate() {
            if item.name.trim().is_empty() && item.article.trim().is_empty() {
                add(
                    &format!("items.{i}.name"),
                    "required",
                    format!("Item {}: name or article", i + 1),
                );
            }
            if item.quantity < 1 {
                add(
                    &format!("items.{i}.quantity"),
                    "quantity",
                    format!("Item {}: quantity must be at least 1", i + 1),
                );
            }
            if item.price < Decimal::ZERO {
                add(
                    &format!("items.{i}.price"),
                    "price",
                    format!("Item {}: the price cannot be negative", i + 1),
                );
            }
        }
        if [self.weight_g, self.length_cm, self.width_cm, self.height_cm]
            .iter()
            .any(|v| *v < 0)
        {
            add(
                "weight_g",
                "size",
                "Weight and dimensions cannot be negative".into(),
            );
        }
        if self.delivery_cost < Decimal::ZERO {
            add(
                "delivery_cost",
                "price",
                "The delivery cost cannot be negative".into(),
            );
        }
        if self.declared_value < Decimal::ZERO {
            add(
                "declared_value",
                "price",
                "The declared value cannot be negative".into(),
            );
        }
        if let Some(typed) = self.cod_amount_typed.filter(|_| self.cod) {
            if typed < Decimal::ZERO || typed > self.total() {
                add(
                    "cod_amount_typed",
                    "cod_above_total",
                    format!(
                        "The cash-on-delivery amount must be from 0 to the order's total ({})",
                        self.total().round_dp(2)
                    ),
                );
            }
        }
        if self.cod && self.declared_value < self.cod_amount() {
            add(
                "declared_value",
                "declared_below_cod",
                format!(
                    "The declared value ({}) may not be below the cash-on-delivery amount ({})",
                    self.declared_value.round_dp(2),
                    self.cod_amount().round_dp(2)
                ),
            );
        }
        if self.cod && self.paid {
            add(
                "paid",
                "paid_with_cod",
                "An order paid on delivery cannot be marked paid in advance".into(),
            );
        }
        if !self.preorder {
            let r = &self.recipient;
            if r.name.trim().is_empty() {
                add(
                    "recipient.name",
                    "required",
                    "The recipient's name is required".into(),
                );
            }
            if r.phone.trim().is_empty() && r.email.trim().is_empty() {
                add(
                    "recipient.phone",
                    "required",
                    "A phone or an e-mail is required".into(),
                );
            }
            if !self.address.has_destination() {
                add(
                    "address.city",
                    "required",
                    "The destination address is required: a city or a pickup point".into(),
                );
            }
        }
        let email = self.recipient.email.trim();
        if !email.is_empty() && !email.contains('@') {
            add(
                "recipient.email",
                "email",
                format!("«{email}» is not an e-mail address"),
            );
        }
        out
    }

    /// The delivery method this order names, when the shop offers it.
    pub fn method<'a>(&self, methods: &'a [DeliveryMethod]) -> Option<&'a DeliveryMethod> {
        methods.iter().find(|m| m.id == self.delivery_method)
    }

    /// The order type follows a method that sets one.
    pub fn following_method(mut self, methods: &[DeliveryMethod]) -> Self {
        if let Some(t) = self.method(methods).and_then(|m| m.order_type) {
            self.order_type = t;
        }
        self
    }

    /// Its own problems and those its delivery method finds (a method since removed asks nothing).
    pub fn problems_with(&self, methods: &[DeliveryMethod]) -> Vec<DraftProblem> {
        let mut out = self.problems();
        if let Some(m) = self.method(methods) {
            out.extend(m.problems(self));
        }
        out
    }
}

/// What the courier collects: nothing without cash on delivery, else the typed amount or the total.
pub fn cod_amount(cod: bool, typed: Option<Decimal>, total: Decimal) -> Decimal {
    match (cod, typed) {
        (false, _) => Decimal::ZERO,
        (true, Some(typed)) => typed,
        (true, None) => total,
    }
}

/// The declared value of an order whose value follows its items (see [`ShopOrderDraft::followed`]).
pub fn followed_declared_value(items_total: Decimal, cod_amount: Decimal) -> Decimal {
    items_total.max(cod_amount)
}

/// The number a hand-made order gets when none is typed: its creation date-time.
pub fn default_number(now: DateTime<chrono::FixedOffset>) -> String {
    now.format("%Y%m%d-%H%M%S").to_string()
}

/// The charts over a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CabinetCharts {
    /// Marketplace orders that arrived, per day and account kind.
    pub arrivals: Vec<DayCount>,
    pub accepted: i64,
    pub rejected: i64,
    /// Median seconds from a line's arrival to the decision about it.
    pub median_decision_secs: Option<i64>,
    /// Shop orders' totals per day (orders refused or removed not counted).
    pub revenue: Vec<DayAmount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DayCount {
    /// YYYY-MM-DD, UTC.
    pub day: String,
    /// Account kind, or "manual".
    pub source: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DayAmount {
    pub day: String,
    #[ts(type = "string")]
    pub amount: Decimal,
    pub currency: String,
}

/// The median of whole seconds (the lower middle of an even count).
pub fn median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values[(values.len() - 1) / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(qty: i64, price: i64, weight: i64) -> OrderItem {
        OrderItem {
            id: None,
            line_id: None,
            offer_id: None,
            article: "A1".into(),
            brand: "B".into(),
            name: "Фильтр".into(),
            quantity: qty,
            price: Decimal::from(price),
            weight_g: weight,
            length_cm: 20,
            width_cm: 10,
            height_cm: 5,
        }
    }

    fn full() -> ShopOrderDraft {
        ShopOrderDraft {
            recipient: Recipient {
                name: "Иван".into(),
                phone: "+79001234567".into(),
                email: String::new(),
            },
            address: Address {
                city: "Москва".into(),
                postal_code: "101000".into(),
                ..Address::default()
            },
            items: vec![item(2, 500, 300)],
            ..ShopOrderDraft::empty()
        }
    }

    fn codes(d: &ShopOrderDraft) -> Vec<String> {
        d.problems().into_iter().map(|p| p.code).collect()
    }

    #[test]
    fn a_complete_order_passes() {
        assert_eq!(codes(&full()), Vec::<String>::new());
    }

    #[test]
    fn declared_value_may_not_be_below_cash_on_delivery() {
        let mut d = full();
        d.cod = true;
        d.delivery_cost = Decimal::from(300);
        d.declared_value = Decimal::from(1299);
        let problems = d.problems();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "declared_value");
        assert_eq!(problems[0].code, "declared_below_cod");
        assert!(problems[0].message.contains("1300"), "{}", problems[0].message);
        d.declared_value = Decimal::from(1300);
        assert!(d.problems().is_empty());
        d.cod = false;
        d.declared_value = Decimal::ZERO;
        assert!(d.problems().is_empty(), "without COD any declared value goes");
    }

    #[test]
    fn the_declared_value_follows_the_items_until_typed_and_covers_cash_on_delivery() {
        let d = full().normalized();
        assert_eq!(d.declared_value, Decimal::from(1000), "the items' total");
        let with_cod = ShopOrderDraft {
            cod: true,
            delivery_cost: Decimal::from(300),
            ..full()
        }
        .normalized();
        assert_eq!(
            with_cod.declared_value,
            Decimal::from(1300),
            "not below what the courier collects"
        );
        assert!(with_cod.problems().is_empty(), "{:?}", with_cod.problems());
        let typed = ShopOrderDraft {
            declared_value_auto: false,
            declared_value: Decimal::from(5),
            ..full()
        }
        .normalized();
        assert_eq!(typed.declared_value, Decimal::from(5), "a typed value stays");
    }

    #[test]
    fn the_cash_on_delivery_amount_is_the_total_unless_typed_within_it() {
        let mut d = ShopOrderDraft {
            cod: true,
            delivery_cost: Decimal::from(300),
            ..full()
        };
        assert_eq!(d.cod_amount(), Decimal::from(1300));
        d.cod_amount_typed = Some(Decimal::from(200));
        assert_eq!(d.cod_amount(), Decimal::from(200));
        assert!(d.clone().normalized().problems().is_empty());
        d.cod_amount_typed = Some(Decimal::from(1301));
        assert_eq!(codes(&d.clone().normalized()), ["cod_above_total"]);
        d.cod_amount_typed = Some(Decimal::from(-1));
        assert_eq!(codes(&d.clone().normalized()), ["cod_above_total"]);
        d.cod = false;
        assert_eq!(
            d.cod_amount(),
            Decimal::ZERO,
            "no cash on delivery, nothing collected"
        );
        assert!(
            d.normalized().problems().is_empty(),
            "a typed amount without COD is not checked"
        );
    }

    #[test]
    fn an_online_card_order_waits_for_payment_until_paid() {
        let mut d = ShopOrderDraft {
            payment_method: Some(PaymentMethod::CardOnline),
            ..full()
        };
        assert!(d.awaiting_payment());
        d.paid = true;
        assert!(!d.awaiting_payment());
        d.paid = false;
        d.payment_method = Some(PaymentMethod::Prepaid);
        assert!(!d.awaiting_payment(), "only card online is waited for");
    }

    #[test]
    fn paid_only_without_cash_on_delivery() {
        let mut d = full();
        d.paid = true;
        assert!(d.problems().is_empty());
        d.cod = true;
        d.declared_value = Decimal::from(10_000);
        assert_eq!(codes(&d), ["paid_with_cod"]);
    }

    #[test]
    fn an_email_needs_an_at_sign_and_a_phone_or_email_is_enough() {
        let mut d = full();
        d.recipient.email = "ivan".into();
        assert_eq!(codes(&d), ["email"]);
        assert_eq!(d.problems()[0].field, "recipient.email");
        d.recipient.email = "ivan@example.com".into();
        d.recipient.phone = String::new();
        assert!(d.problems().is_empty(), "an e-mail stands in for the phone");
        d.recipient.email = String::new();
        assert_eq!(codes(&d), ["required"]);
        assert_eq!(d.problems()[0].field, "recipient.phone");
    }

    #[test]
    fn a_preorder_needs_items_but_no_recipient() {
        let mut d = ShopOrderDraft::empty();
        d.preorder = true;
        assert_eq!(codes(&d), ["no_items"]);
        d.items.push(item(1, 10, 0));
        assert!(d.problems().is_empty());
        d.preorder = false;
        assert_eq!(codes(&d), ["required", "required", "required"]);
    }

    #[test]
    fn items_are_checked_one_by_one() {
        let mut d = full();
        d.items.push(OrderItem {
            name: String::new(),
            article: " ".into(),
            quantity: 0,
            price: Decimal::from(-1),
            ..item(1, 1, 0)
        });
        let fields: Vec<String> = d.problems().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["items.1.name", "items.1.quantity", "items.1.price"]);
    }

    #[test]
    fn size_follows_the_items_when_automatic() {
        let mut d = full();
        d.items.push(item(1, 100, 1200));
        let d = d.normalized();
        assert_eq!(
            (d.weight_g, d.length_cm, d.width_cm, d.height_cm),
            (1800, 20, 10, 15)
        );
        let mut typed = full();
        typed.auto_dimensions = false;
        typed.weight_g = 7;
        assert_eq!(typed.normalized().weight_g, 7);
    }

    #[test]
    fn totals_and_median() {
        let mut d = full();
        d.delivery_cost = Decimal::from(250);
        assert_eq!(d.items_total(), Decimal::from(1000));
        assert_eq!(d.total(), Decimal::from(1250));
        assert_eq!(d.cod_amount(), Decimal::ZERO);
        // An amount stored before marketplace numbers were bounded saturates, never panics.
        d.items.push(item(i64::MAX, 1, i64::MAX));
        d.items.last_mut().unwrap().price = Decimal::MAX;
        assert_eq!(d.items_total(), Decimal::MAX);
        assert_eq!(d.total(), Decimal::MAX);
        assert_eq!(d.computed_size().0, i64::MAX);
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5, 1, 3]), Some(3));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
    }

    #[test]
    fn periods_and_parsing() {
        let now = Utc::now();
        assert_eq!(Period::All.since(now), None);
        assert_eq!(Period::Month.since(now), Some(now - Duration::days(30)));
        assert_eq!(Period::parse("3months"), Some(Period::ThreeMonths));
        assert_eq!(
            serde_json::to_string(&Period::ThreeMonths).unwrap(),
            "\"3months\""
        );
        assert_eq!(
            PaymentMethod::parse("card_online"),
            Some(PaymentMethod::CardOnline)
        );
        assert_eq!(OrderType::parse("through"), Some(OrderType::Through));
        let at = chrono::FixedOffset::east_opt(3 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 23, 9, 5, 7)
            .unwrap();
        assert_eq!(default_number(at), "20261123-090507");
    }

    use chrono::TimeZone;
}
