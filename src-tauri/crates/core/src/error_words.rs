//! What went wrong as a code (`kind`) with plain arguments, never a sentence: the UI words each
//! kind in the manager's language (`ui/src/i18n/errors/`). [`ErrorWords::english`] is the one
//! English wording, carried as the error's `message` for the CLI, the logs and old readers.
//!
//! Arguments are plain values: names, numbers, paths, and `detail`, the text a marketplace, the
//! OS or SQLite gave us, shown as it came. A field is passed as its settings key (`field`) with
//! its English label (`label`), which the UI replaces with its own word for the field when it has
//! one.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cabinet::DraftProblem;
use crate::order::{LineState, TriageAction};

/// What an error is about, for the kinds shared by many things ("… not found").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Thing {
    Order,
    Line,
    Account,
    Status,
    BuiltInStatus,
    PriceList,
    DeliveryMethod,
    Backup,
    OutboxRow,
    Rule,
}

impl Thing {
    fn english(self) -> &'static str {
        match self {
            Thing::Order => "order",
            Thing::Line => "line",
            Thing::Account => "account",
            Thing::Status => "status",
            Thing::BuiltInStatus => "built-in status",
            Thing::PriceList => "price list",
            Thing::DeliveryMethod => "delivery method",
            Thing::Backup => "backup file",
            Thing::OutboxRow => "failed marketplace call",
            Thing::Rule => "rule",
        }
    }
}

/// The shape a typed value must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ValueFormat {
    /// HH:MM, 24-hour.
    Time24h,
    /// An IP address to listen on.
    IpAddress,
    /// An address starting with http:// or https://.
    WebAddress,
    /// Whole numbers (a list of codes).
    Numbers,
    /// A single character.
    OneCharacter,
    /// A number the marketplace gave its own meaning (an id from its list).
    MarketplaceId,
    /// An absolute file path.
    FullPath,
    /// An https:// address (http:// only on this computer): the key would travel readable.
    SecureWebAddress,
    /// Three letters of ISO 4217 (RUB, EUR, USD).
    CurrencyCode,
    /// A time zone by its IANA name (Europe/Kyiv).
    TimeZone,
    /// A dated API version (2025-10).
    ApiVersion,
}

/// One error: its `kind` is the variant's snake_case name, its arguments the variant's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorWords {
    // ---- generic ----
    NotFound {
        thing: Thing,
        id: String,
    },
    /// Some of the chosen things were removed meanwhile.
    NoLongerExist {
        thing: Thing,
    },
    NothingSelected {
        thing: Thing,
    },
    NameEmpty {
        thing: Thing,
    },
    NameTaken {
        thing: Thing,
        name: String,
    },
    Required {
        field: String,
        label: String,
    },
    TooLong {
        field: String,
        label: String,
        max: u64,
    },
    /// Outside `min`..=`max` (either end may be open).
    OutOfRange {
        field: String,
        label: String,
        min: Option<i64>,
        max: Option<i64>,
        /// The unit the bounds are in: "seconds", "days", or none.
        unit: Option<String>,
    },
    BadFormat {
        field: String,
        label: String,
        value: String,
        format: ValueFormat,
    },
    /// A value this version does not know (a stored code, a page cursor).
    Unknown {
        field: String,
        value: String,
    },
    Internal {
        detail: String,
    },

    // ---- the database and files ----
    DiskFull {},
    DatabaseBusy {},
    Database {
        detail: String,
    },
    Migration {
        detail: String,
    },
    StoredDataUnreadable {
        detail: String,
    },
    DatabaseDamaged {
        detail: String,
    },
    FileError {
        detail: String,
    },
    CannotRead {
        path: String,
        detail: String,
    },
    CannotWrite {
        path: String,
        detail: String,
    },
    CannotOpen {
        path: String,
        detail: String,
    },
    CannotShow {
        path: String,
        detail: String,
    },
    FileExists {
        path: String,
    },
    NotExported {
        path: String,
    },
    BackupIsDatabase {
        name: String,
    },
    NotOrdertrayDatabase {
        name: String,
    },
    BackupTooNew {
        name: String,
    },
    Restarting {},
    DatabaseWorks {},
    /// The database was written by a newer Ordertray: it is kept, not replaced by an empty one.
    DatabaseTooNew {},
    /// Another process (the command line, a second copy of the app) has the database open.
    DatabaseInUse {},

    // ---- marketplaces ----
    MarketplaceAuth {
        detail: String,
    },
    RateLimited {
        detail: String,
    },
    MarketplaceServer {
        status: u16,
        detail: String,
    },
    Network {
        detail: String,
    },
    Malformed {
        detail: String,
    },
    MarketplaceRejected {
        status: u16,
        detail: String,
    },
    NoOrderSource {
        marketplace: String,
    },
    /// A store sells in another currency than the shop's: nothing of it is imported.
    CurrencyMismatch {
        marketplace: String,
        currency: String,
        shop_currency: String,
    },
    TooManyPages {
        marketplace: String,
        max: u64,
    },
    /// A pushed request could not be read (`detail`: what the parser said).
    PushUnreadable {
        detail: String,
    },
    /// Some orders of a pushed batch could not be read (they are in quarantine).
    PushedOrdersUnreadable {
        count: u64,
    },
    /// Whether an earlier attempt went through could not be checked (`detail`: why).
    AppliedCheckFailed {
        detail: String,
    },

    // ---- accounts and secrets ----
    /// Plain http:// to another computer: the keys would travel in clear.
    BaseUrlPlainHttp {},
    BaseUrlNotHttps {},
    KindUnchangeable {},
    DemoNotEditable {},
    DemoNotBuilt {},
    DemoFailed {
        detail: String,
    },
    SecretEnvMissing {
        var: String,
        label: String,
        account: String,
    },
    SecretMissing {
        label: String,
        account: String,
    },
    /// The account's address changed: the keys must be typed again.
    SecretsRequired {
        labels: Vec<String>,
    },
    KeychainUnavailable {},
    /// A keychain call got no answer in time (a locked keyring's unlock prompt nobody answered).
    KeychainNotAnswering {},
    KeychainUnsafe {},
    Keychain {
        detail: String,
    },
    IntakeTokenFromEnv {
        account: String,
        var: String,
    },
    NoIntakeAddress {
        marketplace: String,
        account: String,
    },
    /// The platform signs its webhooks with a secret the manager already has (an app's client
    /// secret): Ordertray has none to give.
    NoWebhookSecret {
        marketplace: String,
        account: String,
    },
    /// A health notice, not a failure: the store paused webhooks after failed deliveries (`names`:
    /// the webhooks, comma-separated); orders still arrive by polling.
    WebhooksDisabled {
        marketplace: String,
        names: String,
    },

    // ---- triage, statuses, rules ----
    /// `action`: what was tried on a line in state `state`.
    LineWrongState {
        line: i64,
        state: LineState,
        action: TriageAction,
    },
    LineNotWaiting {
        line: i64,
    },
    LineAlreadyInInbox {
        name: String,
    },
    LineAlreadySent {
        name: String,
    },
    /// A later decision on the line's order queued calls that may carry this line (a ship of
    /// every accepted line): that decision is taken back first.
    LaterDecisionOnOrder {
        name: String,
    },
    OrderCancelledOnMarketplace {
        number: String,
    },
    OrderReadOnly {
        number: String,
    },
    OnlyAcceptedBound {},
    OnlyAcceptedMove {
        line: i64,
    },
    OfferGone {},
    KeepNewStatus {},
    StatusInUse {
        lines: u64,
    },
    TemplateInvalid {
        template: String,
        detail: String,
    },
    TemplateFailed {
        detail: String,
    },
    NoStatusToWord {},

    // ---- the cabinet, exports, price lists ----
    OrderProblems {
        problems: Vec<DraftProblem>,
    },
    DeliveryCostChanges {
        from: String,
        to: String,
    },
    TrackingNotTaken {},
    /// A buyer link needs the order intake on with a public address (the buyer's page is served
    /// there).
    PreorderLinkNeedsIntake {},
    NotAPreorder {
        number: String,
    },
    /// The marketplace would not take a tracking number for this order: it fulfils the order
    /// from its own warehouse (`read_only`) or delivers it itself (`detail`: the integration's
    /// English reason).
    TrackingRefused {
        number: String,
        read_only: bool,
        detail: String,
    },
    TrackingEmpty {},
    TransferredByHand {},
    /// The account named is not a system orders can be sent to.
    NotATransferTarget {
        name: String,
    },
    /// The target refused the order, or it could not reach it: `detail` is the target's words.
    TransferRefused {
        target: String,
        detail: String,
    },
    OrderNotDeleted {
        number: String,
    },
    NoExportColumns {},
    ExportCancelled {},
    NoSheets {
        path: String,
    },
    SheetDamaged {
        path: String,
    },
    PriceListColumnsNeeded {
        name: String,
    },
    /// An edit left out an item that comes from an accepted marketplace line.
    ItemFollowsMarketplaceLine {
        name: String,
    },
    /// Every row of an import was rejected: the list keeps what it had.
    PriceListNothingRead {
        name: String,
        rejected: u64,
    },
}

impl ErrorWords {
    pub fn required(field: &str, label: &str) -> Self {
        ErrorWords::Required {
            field: field.into(),
            label: label.into(),
        }
    }

    pub fn out_of_range(
        field: &str,
        label: &str,
        min: Option<i64>,
        max: Option<i64>,
        unit: Option<&str>,
    ) -> Self {
        ErrorWords::OutOfRange {
            field: field.into(),
            label: label.into(),
            min,
            max,
            unit: unit.map(Into::into),
        }
    }

    pub fn bad_format(field: &str, label: &str, value: &str, format: ValueFormat) -> Self {
        ErrorWords::BadFormat {
            field: field.into(),
            label: label.into(),
            value: value.into(),
            format,
        }
    }

    /// The error in English: the `message` of an [`crate::AppError`] made from these words.
    pub fn english(&self) -> String {
        use ErrorWords::*;
        let range = |min: &Option<i64>, max: &Option<i64>, unit: &Option<String>| {
            let unit = unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
            match (min, max) {
                (Some(a), Some(b)) => format!("between {a} and {b}{unit}"),
                (Some(a), None) => format!("at least {a}{unit}"),
                (None, Some(b)) => format!("at most {b}{unit}"),
                (None, None) => "in range".to_string(),
            }
        };
        match self {
            NotFound { thing, id } => format!("{} {id} not found", capital(thing.english())),
            NoLongerExist { thing } => format!("Some of the {}s no longer exist", thing.english()),
            NothingSelected { thing } => format!("No {}s selected", thing.english()),
            NameEmpty { thing } => format!("Every {} needs a name", thing.english()),
            NameTaken { thing, name } => {
                let thing = thing.english();
                let article = if thing.starts_with(['a', 'e', 'i', 'o', 'u']) { "An" } else { "A" };
                format!("{article} {thing} named «{name}» already exists")
            }
            Required { label, .. } => format!("{label} is required"),
            TooLong { label, max, .. } => format!("{label} is at most {max} characters"),
            OutOfRange {
                label, min, max, unit, ..
            } => format!("{label} must be {}", range(min, max, unit)),
            BadFormat {
                label, value, format, ..
            } => {
                let shape = match format {
                    ValueFormat::Time24h => "HH:MM (24-hour)",
                    ValueFormat::IpAddress => "an IP address (127.0.0.1 or 0.0.0.0)",
                    ValueFormat::WebAddress => "an address starting with http:// or https://",
                    ValueFormat::Numbers => "whole numbers",
                    ValueFormat::OneCharacter => "one character",
                    ValueFormat::MarketplaceId => "an id from the marketplace's list",
                    ValueFormat::FullPath => "a file's full path",
                    ValueFormat::CurrencyCode => "a three-letter currency code (RUB, EUR, USD)",
                    ValueFormat::TimeZone => "a time zone name such as Europe/Kyiv",
                    ValueFormat::ApiVersion => "a dated API version such as 2025-10",
                    ValueFormat::SecureWebAddress => {
                        "an https:// address (http:// would send the key readable)"
                    }
                };
                format!("{label} must be {shape}; «{value}» is not")
            }
            Unknown { field, value } => format!("unknown {field} «{value}»"),
            Internal { detail } => format!("internal error: {detail}"),
            DiskFull {} => {
                "the disk is full: Ordertray could not save the change (free some space and try again)".into()
            }
            DatabaseBusy {} => "the database is busy; try again".into(),
            Database { detail } => format!("database error: {detail}"),
            Migration { detail } => format!("database migration failed: {detail}"),
            StoredDataUnreadable { detail } => format!("stored data is unreadable: {detail}"),
            DatabaseDamaged { detail } => format!("the database file is damaged: {detail}"),
            FileError { detail } => format!("file error: {detail}"),
            CannotRead { path, detail } => format!("Cannot read {path}: {detail}"),
            CannotWrite { path, detail } => format!("Could not write {path}: {detail}"),
            CannotOpen { path, detail } => format!("Could not open {path}: {detail}"),
            CannotShow { path, detail } => format!("Could not show {path}: {detail}"),
            FileExists { path } => format!("{path} already exists"),
            NotExported { path } => format!("{path} is not a file this session exported"),
            BackupIsDatabase { name } => format!("{name} is the database itself, not a backup of it"),
            NotOrdertrayDatabase { name } => format!("{name} is not an Ordertray database"),
            BackupTooNew { name } => {
                format!("{name} was made by a newer version of Ordertray; update Ordertray to restore it")
            }
            Restarting {} => "Ordertray is restarting".into(),
            DatabaseWorks {} => "The database works; there is nothing to replace".into(),
            DatabaseInUse {} => {
                "Another program has the database open (the command line?); close it and try again. Nothing was changed".into()
            }
            DatabaseTooNew {} => {
                "The database was made by a newer version of Ordertray; update Ordertray to open it (it is kept as it is)".into()
            }
            MarketplaceAuth { detail } => format!("authorization failed: {detail}"),
            RateLimited { detail } => format!("rate limited: {detail}"),
            MarketplaceServer { status, detail } => format!("server error {status}: {detail}"),
            Network { detail } => format!("network error: {detail}"),
            Malformed { detail } => format!("malformed response: {detail}"),
            MarketplaceRejected { status, detail } => format!("rejected by marketplace ({status}): {detail}"),
            NoOrderSource { marketplace } => format!("{marketplace} has no order source to poll"),
            CurrencyMismatch {
                marketplace,
                currency,
                shop_currency,
            } => format!(
                "{marketplace} sells in {currency} but the shop's currency is {shop_currency}: \
                 nothing is imported until they match (Settings → shop currency)"
            ),
            TooManyPages { marketplace, max } => {
                format!("{marketplace} kept returning more pages; stopped after {max}")
            }
            BaseUrlPlainHttp {} => "Base URL must start with https:// (plain http:// only for an address on this \
                                    computer: localhost, 127.0.0.1, [::1]): the account's keys travel with every call"
                .into(),
            BaseUrlNotHttps {} => "Base URL must start with https:// followed by a host".into(),
            PushUnreadable { detail } => format!("A pushed request could not be read: {detail}"),
            PushedOrdersUnreadable { count } => format!("{count} pushed order(s) could not be read"),
            AppliedCheckFailed { detail } => {
                format!("could not check whether the last attempt went through: {detail}")
            }
            KindUnchangeable {} => "The marketplace of an account cannot be changed".into(),
            DemoNotEditable {} => "The demo account cannot be edited; remove it and add a real account".into(),
            DemoNotBuilt {} => "Demo mode is not part of this build".into(),
            DemoFailed { detail } => format!("demo marketplace did not start: {detail}"),
            SecretEnvMissing { var, label, account } => {
                format!("The environment variable {var} (the {label} of «{account}») is not set")
            }
            SecretMissing { label, account } => {
                format!("No {label} is stored for «{account}»: edit the account and enter it")
            }
            SecretsRequired { labels } => format!(
                "The account's address changed: type the {} again (stored keys are never sent to a new address)",
                labels.join(" and ")
            ),
            KeychainUnavailable {} => "the OS keychain is unavailable (on Linux: is a Secret Service such as GNOME \
                                       Keyring or KWallet running and unlocked?)"
                .into(),
            KeychainNotAnswering {} => "the OS keychain does not answer (is it locked? its unlock prompt may be \
                                         waiting, perhaps behind another window)"
                .into(),
            KeychainUnsafe {} => {
                "the OS keychain did not keep a test value: secrets cannot be stored safely".into()
            }
            Keychain { detail } => format!("keychain error: {detail}"),
            IntakeTokenFromEnv { account, var } => {
                format!("The intake token of «{account}» comes from the environment variable {var}: change it there")
            }
            NoIntakeAddress { marketplace, account } => {
                format!("{marketplace} does not push orders: «{account}» has no intake address")
            }
            NoWebhookSecret { marketplace, account } => format!(
                "{marketplace} signs the webhooks of «{account}» with the app's client secret: use that one"
            ),
            WebhooksDisabled { marketplace, names } => format!(
                "{marketplace} paused its webhooks after failed deliveries ({names}): orders still come by \
                 polling; set them Active again in {marketplace} once the intake address is reachable"
            ),
            LineWrongState { line, state, action } => format!(
                "Line {line} is {} and cannot be {}",
                state.as_str(),
                action.past_participle()
            ),
            LineNotWaiting { line } => format!("Line {line} is not waiting for a decision"),
            LineAlreadyInInbox { name } => format!("Line «{name}» is already in the inbox"),
            LineAlreadySent { name } => {
                format!("Line «{name}» was already sent to the marketplace and cannot be undone")
            }
            LaterDecisionOnOrder { name } => format!(
                "Line «{name}» cannot be taken back alone: a later decision on its order is waiting to be sent; take that one back first"
            ),
            OrderCancelledOnMarketplace { number } => format!(
                "Order {number} was cancelled on the marketplace: its lines can only be rejected or deleted"
            ),
            OrderReadOnly { number } => format!(
                "Order {number} is fulfilled by the marketplace from its own warehouse: it is read-only and \
                 cannot be accepted, rejected, deleted or restored"
            ),
            OnlyAcceptedBound {} => "Only an accepted line is bound to an offer".into(),
            OnlyAcceptedMove { line } => {
                format!("Line {line} is not accepted: only accepted lines move through the shop's statuses")
            }
            OfferGone {} => "The offer is gone (its price list was re-imported); choose again".into(),
            KeepNewStatus {} => "Keep at least one status in the “new” group: accepted lines start there".into(),
            StatusInUse { lines } => {
                format!("{lines} line(s) are in a status you removed; move them to another status first")
            }
            TemplateInvalid { template, detail } => format!("Template «{template}»: {detail}"),
            TemplateFailed { detail } => detail.clone(),
            NoStatusToWord {} => "no shop status to word it with".into(),
            OrderProblems { problems } => problems
                .iter()
                .map(|p| p.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            DeliveryCostChanges { from, to } => {
                format!("The delivery cost changes from {from} to {to}: confirm to save")
            }
            PreorderLinkNeedsIntake {} => "A buyer link needs the order intake switched on with a public address \
                                            (Settings → Order intake)"
                .into(),
            NotAPreorder { number } => {
                format!("Order {number} is not a pre-order: its buyer has nothing to complete")
            }
            TrackingNotTaken {} => "This order did not come from a marketplace that takes tracking numbers: there \
                                    is nothing to send the tracking number to"
                .into(),
            TrackingRefused { detail, .. } => detail.clone(),
            TrackingEmpty {} => "Enter the tracking number".into(),
            TransferredByHand {} => "«Transferred» is set by a successful transfer, not by hand".into(),
            NotATransferTarget { name } => format!("«{name}» is not a system orders can be sent to"),
            TransferRefused { target, detail } => format!("{target}: {detail}"),
            OrderNotDeleted { number } => {
                format!("Order {number} is not deleted: only deleted orders can be removed for good")
            }
            NoExportColumns {} => "Choose at least one column to export".into(),
            ExportCancelled {} => "Export cancelled".into(),
            NoSheets { path } => format!("{path} has no sheets"),
            SheetDamaged { path } => format!("Cannot read {path}: the spreadsheet is damaged"),
            PriceListColumnsNeeded { name } => {
                format!("Price list «{name}» is new: say which columns hold the article and the price")
            }
            ItemFollowsMarketplaceLine { name } => format!(
                "«{name}» is an item of the marketplace's order: it stays while its line is accepted"
            ),
            PriceListNothingRead { name, rejected } => format!(
                "None of the {rejected} rows could be read (are the columns right?): price list «{name}» is kept as it was"
            ),
        }
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
