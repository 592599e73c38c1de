//! Store-platform and Amazon accounts and every account's sync log.

use anyhow::Result;
use ordertray_connectors::amazon::{AmazonSettings, Region, CLIENT_SECRET as AMAZON_SECRET, REFRESH_TOKEN};
use ordertray_connectors::cartum::{CartumSettings, PASSWORD};
use ordertray_connectors::shopify::{ShopifySettings, CLIENT_SECRET};
use ordertray_connectors::woocommerce::{ProductKey, WooCommerceSettings, CONSUMER_KEY, CONSUMER_SECRET};
use ordertray_core::{AccountDraft, AccountSettings};
use ordertray_engine::{Engine, SecretInput};

use crate::args::{
    AmazonAccountArgs, CartumAccountArgs, ProductKeyArg, RegionArg, ShopifyAccountArgs,
    WooCommerceAccountArgs,
};
use crate::commands::stdin_line;

pub async fn add_woocommerce(engine: &Engine, a: WooCommerceAccountArgs) -> Result<()> {
    let settings = WooCommerceSettings {
        backfill_days: a.backfill_days,
        accept_on_arrival: !a.no_accept_on_arrival,
        identify_products_by: a.identify_products_by.into(),
        key_in_query: a.key_in_query,
        consumer_key_env: a.consumer_key_env,
        consumer_secret_env: a.consumer_secret_env,
        ..WooCommerceSettings::new(a.url)
    };
    let mut secrets = SecretInput::new();
    if a.consumer_key_stdin {
        secrets.insert(CONSUMER_KEY.into(), stdin_line("consumer key")?);
    }
    if a.consumer_secret_stdin {
        secrets.insert(CONSUMER_SECRET.into(), stdin_line("consumer secret")?);
    }
    let draft = AccountDraft {
        name: a.name,
        region: a.region,
        active: true,
        interval_secs: a.interval,
        base_url: None,
        settings: AccountSettings::from(settings),
    };
    added(engine, draft, secrets, a.backfill_days).await
}

pub async fn add_cartum(engine: &Engine, a: CartumAccountArgs) -> Result<()> {
    let settings = CartumSettings {
        timezone: a.timezone,
        backfill_days: a.backfill_days,
        window_days: a.window_days,
        accept_on_arrival: !a.no_accept_on_arrival,
        identify_products_by: a.identify_products_by.into(),
        password_env: a.password_env,
        ..CartumSettings::new(a.url, a.login)
    };
    let mut secrets = SecretInput::new();
    if a.password_stdin {
        secrets.insert(PASSWORD.into(), stdin_line("password")?);
    }
    let draft = AccountDraft {
        name: a.name,
        region: a.region,
        active: true,
        interval_secs: a.interval,
        base_url: None,
        settings: AccountSettings::from(settings),
    };
    added(engine, draft, secrets, a.backfill_days).await
}

pub async fn add_shopify(engine: &Engine, a: ShopifyAccountArgs) -> Result<()> {
    let settings = ShopifySettings {
        admin_token: a.admin_token,
        api_version: a.api_version,
        backfill_days: a.backfill_days,
        read_all_orders: a.read_all_orders,
        accept_on_arrival: !a.no_accept_on_arrival,
        identify_products_by: a.identify_products_by.into(),
        client_secret_env: a.client_secret_env,
        ..ShopifySettings::new(a.shop, a.client_id)
    };
    let reach = settings.backfill_reach();
    let mut secrets = SecretInput::new();
    if a.client_secret_stdin {
        let what = if a.admin_token {
            "admin API access token"
        } else {
            "client secret"
        };
        secrets.insert(CLIENT_SECRET.into(), stdin_line(what)?);
    }
    let draft = AccountDraft {
        name: a.name,
        region: a.region,
        active: true,
        interval_secs: a.interval,
        base_url: None,
        settings: AccountSettings::from(settings),
    };
    if reach < a.backfill_days {
        println!("Shopify shows an app without read_all_orders only the last {reach} days of orders");
    }
    added(engine, draft, secrets, reach).await
}

pub async fn add_amazon(engine: &Engine, a: AmazonAccountArgs) -> Result<()> {
    let region = match a.region {
        RegionArg::Eu => Region::Eu,
        RegionArg::Na => Region::Na,
        RegionArg::Fe => Region::Fe,
    };
    let settings = AmazonSettings {
        backfill_days: a.backfill_days,
        accept_on_arrival: !a.no_accept_on_arrival,
        identify_products_by: a.identify_products_by.into(),
        token_url: a.token_url,
        client_secret_env: a.client_secret_env,
        refresh_token_env: a.refresh_token_env,
        ..AmazonSettings::new(region, a.marketplace_id, a.client_id)
    };
    let mut secrets = SecretInput::new();
    if a.client_secret_stdin {
        secrets.insert(AMAZON_SECRET.into(), stdin_line("client secret")?);
    }
    if a.refresh_token_stdin {
        secrets.insert(REFRESH_TOKEN.into(), stdin_line("refresh token")?);
    }
    let draft = AccountDraft {
        name: a.name,
        region: a.region_label,
        active: true,
        interval_secs: a.interval,
        base_url: a.base_url,
        settings: AccountSettings::from(settings),
    };
    added(engine, draft, secrets, a.backfill_days).await
}

async fn added(engine: &Engine, draft: AccountDraft, secrets: SecretInput, backfill_days: u32) -> Result<()> {
    let account = engine.add_account(draft, secrets).await?;
    println!("added account {} «{}»", account.id, account.name);
    println!("the first sync reads the shop's orders of the last {backfill_days} days");
    Ok(())
}

impl From<ProductKeyArg> for ProductKey {
    fn from(key: ProductKeyArg) -> Self {
        match key {
            ProductKeyArg::Sku => ProductKey::Sku,
            ProductKeyArg::Name => ProductKey::Name,
            ProductKeyArg::Id => ProductKey::Id,
        }
    }
}

pub async fn log(engine: &Engine, account: &str, limit: u32, json: bool) -> Result<()> {
    let account = engine.find_account(account).await?;
    let log = engine.account_log(account.id, limit).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&log)?);
        return Ok(());
    }
    for r in &log.runs {
        println!(
            "{}\t{}\t{} pages\t{} seen\t{} new\t{} changed\t{} set aside\t{} skipped\t{}",
            r.started_at.format("%Y-%m-%d %H:%M:%S"),
            r.outcome.as_deref().unwrap_or("running"),
            r.pages,
            r.orders_seen,
            r.orders_new,
            r.orders_changed,
            r.quarantined,
            r.skipped,
            r.error.as_deref().unwrap_or("")
        );
    }
    if !log.skipped.is_empty() {
        println!("not imported:");
    }
    for s in &log.skipped {
        let reason = serde_json::to_value(s.reason)?;
        println!(
            "{}\t{}\t{}",
            s.at.format("%Y-%m-%d %H:%M:%S"),
            s.number,
            reason.as_str().unwrap_or_default()
        );
    }
    Ok(())
}
