//! One error of every kind, with the English the engine sends beside it, written for the UI's
//! tests (ui/src/test/fixtures/error_words.json): they check every other language words each kind
//! (`ui/src/i18n/errors.test.ts`). CI fails when regenerating this file changes it.

use std::path::Path;

use ordertray_core::cabinet::DraftProblem;
use ordertray_core::{AppError, ErrorCode, ErrorWords, LineState, Thing, TriageAction, ValueFormat};

fn text(s: &str) -> String {
    s.to_string()
}

/// A sample of each kind. The `match` in `kind_is_sampled` fails to compile when a kind is added
/// without a sample here.
fn samples() -> Vec<ErrorWords> {
    use ErrorWords::*;
    let detail = || text("connection refused");
    vec![
        NotFound {
            thing: Thing::Order,
            id: text("42"),
        },
        NoLongerExist { thing: Thing::Line },
        NothingSelected { thing: Thing::Order },
        NameEmpty { thing: Thing::Rule },
        NameTaken {
            thing: Thing::Account,
            name: text("Склад"),
        },
        ErrorWords::required("login", "Login"),
        TooLong {
            field: text("tracking_number"),
            label: text("A tracking number"),
            max: 64,
        },
        ErrorWords::out_of_range("port", "The intake port", Some(1), Some(65535), None),
        ErrorWords::out_of_range("interval_secs", "Poll interval", Some(10), None, Some("seconds")),
        ErrorWords::bad_format(
            "sync_start_time",
            "Sync start time",
            "25:00",
            ValueFormat::Time24h,
        ),
        Unknown {
            field: text("line state"),
            value: text("lost"),
        },
        Internal { detail: detail() },
        DiskFull {},
        DatabaseBusy {},
        Database { detail: detail() },
        Migration { detail: detail() },
        StoredDataUnreadable { detail: detail() },
        DatabaseDamaged { detail: detail() },
        FileError { detail: detail() },
        CannotRead {
            path: text("/tmp/price.csv"),
            detail: detail(),
        },
        CannotWrite {
            path: text("/tmp/orders.csv"),
            detail: detail(),
        },
        CannotOpen {
            path: text("/tmp/orders.csv"),
            detail: detail(),
        },
        CannotShow {
            path: text("/tmp/orders.csv"),
            detail: detail(),
        },
        FileExists {
            path: text("/tmp/orders.csv"),
        },
        NotExported {
            path: text("/etc/passwd"),
        },
        BackupIsDatabase {
            name: text("ordertray.db"),
        },
        NotOrdertrayDatabase {
            name: text("notes.db"),
        },
        BackupTooNew {
            name: text("backup-2027.db"),
        },
        Restarting {},
        DatabaseWorks {},
        DatabaseTooNew {},
        DatabaseInUse {},
        MarketplaceAuth {
            detail: text("Invalid Api-Key"),
        },
        RateLimited {
            detail: text("too many requests"),
        },
        MarketplaceServer {
            status: 503,
            detail: text("Service Unavailable"),
        },
        Network { detail: detail() },
        Malformed {
            detail: text("EOF while parsing"),
        },
        MarketplaceRejected {
            status: 400,
            detail: text("posting not found"),
        },
        NoOrderSource {
            marketplace: text("Market"),
        },
        CurrencyMismatch {
            marketplace: text("Market"),
            currency: text("USD"),
            shop_currency: text("RUB"),
        },
        TooManyPages {
            marketplace: text("Market"),
            max: 1000,
        },
        PushUnreadable {
            detail: text("missing field `orders`"),
        },
        PushedOrdersUnreadable { count: 2 },
        AppliedCheckFailed { detail: detail() },
        BaseUrlPlainHttp {},
        BaseUrlNotHttps {},
        KindUnchangeable {},
        DemoNotEditable {},
        DemoNotBuilt {},
        DemoFailed { detail: detail() },
        SecretEnvMissing {
            var: text("SHOP_KEY"),
            label: text("API key"),
            account: text("Shop"),
        },
        SecretMissing {
            label: text("API key"),
            account: text("Shop"),
        },
        SecretsRequired {
            labels: vec![text("password"), text("API key")],
        },
        KeychainUnavailable {},
        KeychainNotAnswering {},
        KeychainUnsafe {},
        Keychain { detail: detail() },
        IntakeTokenFromEnv {
            account: text("Shop"),
            var: text("SHOP_TOKEN"),
        },
        NoIntakeAddress {
            marketplace: text("Market"),
            account: text("Shop"),
        },
        NoWebhookSecret {
            marketplace: text("Market"),
            account: text("Shop"),
        },
        WebhooksDisabled {
            marketplace: text("Market"),
            names: text("Orders created"),
        },
        LineWrongState {
            line: 7,
            state: LineState::Accepted,
            action: TriageAction::Delete,
        },
        LineNotWaiting { line: 7 },
        LineAlreadyInInbox {
            name: text("Фильтр")
        },
        LineAlreadySent {
            name: text("Фильтр")
        },
        LaterDecisionOnOrder {
            name: text("Фильтр")
        },
        OrderCancelledOnMarketplace {
            number: text("0570-1"),
        },
        OrderReadOnly {
            number: text("0570-1"),
        },
        OnlyAcceptedBound {},
        OnlyAcceptedMove { line: 7 },
        OfferGone {},
        KeepNewStatus {},
        StatusInUse { lines: 3 },
        TemplateInvalid {
            template: text("{nope}"),
            detail: text("unknown placeholder {nope}"),
        },
        TemplateFailed {
            detail: text("no value for {tracking}"),
        },
        NoStatusToWord {},
        OrderProblems {
            problems: vec![DraftProblem {
                field: text("items"),
                code: text("no_items"),
                message: text("Add at least one item"),
            }],
        },
        DeliveryCostChanges {
            from: text("350.00"),
            to: text("420.00"),
        },
        TrackingNotTaken {},
        PreorderLinkNeedsIntake {},
        NotAPreorder {
            number: text("PRE-1"),
        },
        TrackingRefused {
            number: text("0570-1"),
            read_only: true,
            detail: text("it is delivered by the marketplace"),
        },
        TrackingEmpty {},
        TransferredByHand {},
        NotATransferTarget {
            name: text("Ozon main"),
        },
        TransferRefused {
            target: text("RetailCRM"),
            detail: text("Order is not loaded; email: This value is not a valid email address."),
        },
        OrderNotDeleted { number: text("A-1") },
        NoExportColumns {},
        ExportCancelled {},
        NoSheets {
            path: text("/tmp/price.xlsx"),
        },
        SheetDamaged {
            path: text("/tmp/price.xlsx"),
        },
        PriceListColumnsNeeded {
            name: text("Склад")
        },
        PriceListNothingRead {
            name: text("Склад"),
            rejected: 1200,
        },
        ItemFollowsMarketplaceLine {
            name: text("Фильтр")
        },
    ]
}

#[allow(dead_code)]
fn kind_is_sampled(w: &ErrorWords) {
    use ErrorWords::*;
    // Add the new kind's sample to `samples` when this match stops compiling.
    match w {
        NotFound { .. }
        | NoLongerExist { .. }
        | NothingSelected { .. }
        | NameEmpty { .. }
        | NameTaken { .. }
        | Required { .. }
        | TooLong { .. }
        | OutOfRange { .. }
        | BadFormat { .. }
        | Unknown { .. }
        | Internal { .. }
        | DiskFull {}
        | DatabaseBusy {}
        | Database { .. }
        | Migration { .. }
        | StoredDataUnreadable { .. }
        | DatabaseDamaged { .. }
        | FileError { .. }
        | CannotRead { .. }
        | CannotWrite { .. }
        | CannotOpen { .. }
        | CannotShow { .. }
        | FileExists { .. }
        | NotExported { .. }
        | BackupIsDatabase { .. }
        | NotOrdertrayDatabase { .. }
        | BackupTooNew { .. }
        | Restarting {}
        | DatabaseWorks {}
        | DatabaseTooNew {}
        | DatabaseInUse {}
        | MarketplaceAuth { .. }
        | RateLimited { .. }
        | MarketplaceServer { .. }
        | Network { .. }
        | Malformed { .. }
        | MarketplaceRejected { .. }
        | NoOrderSource { .. }
        | CurrencyMismatch { .. }
        | TooManyPages { .. }
        | PushUnreadable { .. }
        | PushedOrdersUnreadable { .. }
        | AppliedCheckFailed { .. }
        | BaseUrlPlainHttp {}
        | BaseUrlNotHttps {}
        | KindUnchangeable {}
        | DemoNotEditable {}
        | DemoNotBuilt {}
        | DemoFailed { .. }
        | SecretEnvMissing { .. }
        | SecretMissing { .. }
        | SecretsRequired { .. }
        | KeychainUnavailable {}
        | KeychainNotAnswering {}
        | KeychainUnsafe {}
        | Keychain { .. }
        | IntakeTokenFromEnv { .. }
        | NoIntakeAddress { .. }
        | NoWebhookSecret { .. }
        | WebhooksDisabled { .. }
        | LineWrongState { .. }
        | LineNotWaiting { .. }
        | LineAlreadyInInbox { .. }
        | LineAlreadySent { .. }
        | LaterDecisionOnOrder { .. }
        | OrderCancelledOnMarketplace { .. }
        | OrderReadOnly { .. }
        | OnlyAcceptedBound {}
        | OnlyAcceptedMove { .. }
        | OfferGone {}
        | KeepNewStatus {}
        | StatusInUse { .. }
        | TemplateInvalid { .. }
        | TemplateFailed { .. }
        | NoStatusToWord {}
        | OrderProblems { .. }
        | DeliveryCostChanges { .. }
        | TrackingNotTaken {}
        | PreorderLinkNeedsIntake {}
        | NotAPreorder { .. }
        | TrackingRefused { .. }
        | TrackingEmpty {}
        | TransferredByHand {}
        | NotATransferTarget { .. }
        | TransferRefused { .. }
        | OrderNotDeleted { .. }
        | NoExportColumns {}
        | ExportCancelled {}
        | NoSheets { .. }
        | SheetDamaged { .. }
        | PriceListColumnsNeeded { .. }
        | PriceListNothingRead { .. }
        | ItemFollowsMarketplaceLine { .. } => {}
    }
}

#[test]
fn every_kind_has_english_and_goes_to_the_ui_as_code_plus_arguments() {
    let samples = samples();
    let mut out = vec![];
    for words in samples {
        let error = AppError::said(ErrorCode::InvalidInput, words.clone());
        assert!(!error.message.trim().is_empty(), "{words:?} has no English");
        let json = serde_json::to_value(&error).unwrap();
        let kind = json["words"]["kind"].as_str().unwrap().to_string();
        let back: ErrorWords = serde_json::from_value(json["words"].clone()).unwrap();
        assert_eq!(back, words, "{kind} reads back as sent");
        out.push(json);
    }
    let text = serde_json::to_string_pretty(&out).unwrap() + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/test/fixtures/error_words.json");
    std::fs::write(path, text).unwrap();
}
