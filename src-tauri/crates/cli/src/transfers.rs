//! `transfer …`: targets (accounts of systems orders can be sent to), sending with one line per
//! order, the transfers' status for scripts, read-back and unlink.

use anyhow::{bail, Result};
use ordertray_connectors::amocrm::{self, AmoCrmSettings};
use ordertray_connectors::bitrix24::{self, Bitrix24Settings};
use ordertray_connectors::insales::{self, InSalesSettings};
use ordertray_connectors::moysklad::{self, MoySkladSettings};
use ordertray_connectors::retailcrm::{self, RetailCrmSettings};
use ordertray_connectors::shiptor::{self, ShiptorSettings};
use ordertray_core::cabinet::{TransferConcern, TransferState};
use ordertray_core::{AccountDraft, AccountSettings};
use ordertray_engine::{Engine, SecretInput};
use serde_json::json;

use crate::args::{AddTarget, TargetArgs, TargetsCmd, TransferCmd};
use crate::commands::stdin_line;

/// Some orders did not go through: the process exits 3 (their lines say why).
#[derive(Debug)]
pub struct NotAllTransferred(pub usize);

impl std::fmt::Display for NotAllTransferred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} order(s) did not go through", self.0)
    }
}

impl std::error::Error for NotAllTransferred {}

pub async fn run(engine: &Engine, command: TransferCmd) -> Result<()> {
    match command {
        TransferCmd::Targets(TargetsCmd::Add(AddTarget::Retailcrm(a))) => {
            let settings = RetailCrmSettings {
                api_key_env: a.target.api_key_env.clone(),
                ..RetailCrmSettings::new(required_url(&a.target, "https://SHOP.retailcrm.ru")?, a.site)
            };
            add(engine, a.target, retailcrm::API_KEY, settings.into()).await
        }
        TransferCmd::Targets(TargetsCmd::Add(AddTarget::Shiptor(a))) => {
            let settings = ShiptorSettings {
                url: a.url.clone().unwrap_or_else(|| shiptor::DEFAULT_URL.into()),
                api_key_env: a.api_key_env.clone(),
                ..Default::default()
            };
            add(engine, a, shiptor::API_KEY, settings.into()).await
        }
        TransferCmd::Targets(TargetsCmd::Add(AddTarget::Moysklad(a))) => {
            let settings = MoySkladSettings {
                url: a
                    .target
                    .url
                    .clone()
                    .unwrap_or_else(|| moysklad::DEFAULT_URL.into()),
                organization: a.organization,
                token_env: a.target.api_key_env.clone(),
                ..Default::default()
            };
            add(engine, a.target, moysklad::TOKEN, settings.into()).await
        }
        TransferCmd::Targets(TargetsCmd::Add(AddTarget::Amocrm(a))) => {
            let settings = AmoCrmSettings {
                token_env: a.api_key_env.clone(),
                ..AmoCrmSettings::new(required_url(&a, "https://SUBDOMAIN.amocrm.ru")?)
            };
            add(engine, a, amocrm::TOKEN, settings.into()).await
        }
        TransferCmd::Targets(TargetsCmd::Add(AddTarget::Insales(a))) => {
            let settings = InSalesSettings {
                password_env: a.target.api_key_env.clone(),
                ..InSalesSettings::new(required_url(&a.target, "https://SHOP.myinsales.ru")?, a.api_id)
            };
            add(engine, a.target, insales::PASSWORD, settings.into()).await
        }
        TransferCmd::Targets(TargetsCmd::Add(AddTarget::Bitrix24(a))) => {
            let settings = Bitrix24Settings {
                webhook_token_env: a.target.api_key_env.clone(),
                ..Bitrix24Settings::new(required_url(&a.target, "https://PORTAL.bitrix24.ru")?, a.user_id)
            };
            add(engine, a.target, bitrix24::WEBHOOK_TOKEN, settings.into()).await
        }
        TransferCmd::Targets(TargetsCmd::List { json }) => list(engine, json).await,
        TransferCmd::Send { target, orders, yes } => send(engine, &target, &orders, yes).await,
        TransferCmd::Status { orders, json } => status(engine, &orders, json).await,
        TransferCmd::Refresh { target, orders } => {
            let target = match target {
                Some(t) => Some(engine.find_account(&t).await?.id),
                None => None,
            };
            let ids = order_ids(engine, &orders).await?;
            let r = engine.refresh_transfers(&ids, target).await?;
            println!("read back {}, gone at the target {}", r.read, r.gone);
            for f in &r.failed {
                println!("{}\t{}\tnot read: {}", f.number, f.target, f.error.message);
            }
            Ok(())
        }
        TransferCmd::Unlink { order, target } => {
            let target = engine.find_account(&target).await?;
            let order = engine.find_shop_order(&order).await?;
            if engine.unlink_transfer(order.id, target.id).await? {
                println!("{}\tunlinked from {}", order.draft.number, target.name);
                Ok(())
            } else {
                bail!("order {} has no link to {}", order.draft.number, target.name)
            }
        }
    }
}

/// The target's own address, which has no default.
fn required_url(a: &TargetArgs, example: &str) -> Result<String> {
    match &a.url {
        Some(url) => Ok(url.clone()),
        None => bail!("--url is needed: the target's own address ({example})"),
    }
}

/// Adds the target's account; `secret` is the keychain field its key goes in.
async fn add(engine: &Engine, a: TargetArgs, secret: &str, settings: AccountSettings) -> Result<()> {
    let mut secrets = SecretInput::new();
    if a.api_key_stdin {
        secrets.insert(secret.into(), stdin_line("API key")?);
    }
    let draft = AccountDraft {
        name: a.name,
        region: String::new(),
        active: true,
        interval_secs: 3600,
        base_url: None,
        settings,
    };
    let account = engine.add_account(draft, secrets).await?;
    println!("added target {} «{}»", account.id, account.name);
    Ok(())
}

async fn list(engine: &Engine, as_json: bool) -> Result<()> {
    let targets = engine.transfer_targets().await?;
    if as_json {
        println!("{}", serde_json::to_string_pretty(&targets)?);
        return Ok(());
    }
    for t in targets {
        println!(
            "{}\t{}\t{}\t{}",
            t.account_id,
            t.name,
            t.kind_name,
            if t.active { "active" } else { "disabled" }
        );
    }
    Ok(())
}

async fn order_ids(engine: &Engine, orders: &[String]) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(orders.len());
    for o in orders {
        ids.push(engine.find_shop_order(o).await?.id);
    }
    Ok(ids)
}

/// Queues the orders, delivers what is due now, and tells each order's outcome.
async fn send(engine: &Engine, target: &str, orders: &[String], confirmed: bool) -> Result<()> {
    let target = engine.find_account(target).await?;
    let ids = order_ids(engine, orders).await?;
    let report = engine.send_to_target(target.id, &ids, confirmed).await?;
    if !report.to_confirm.is_empty() {
        for w in &report.to_confirm {
            let why = match &w.reason {
                TransferConcern::ShipsTwice { other } => {
                    format!("already sent to {other}, which ships it too")
                }
                TransferConcern::NotPaid {} => "paid online but not paid yet".to_string(),
            };
            eprintln!("{}\t{why}", w.number);
        }
        bail!("nothing sent: confirm with --yes to send these orders anyway");
    }
    // Deliver until nothing of these is due now; a retry scheduled later stays queued.
    loop {
        let r = engine.drain_outbox_once().await?;
        if r.delivered + r.failed + r.retry_scheduled == 0 {
            break;
        }
    }
    let mut not_through = 0;
    for t in engine.transfer_status(&ids, Some(target.id)).await? {
        let v = &t.transfer;
        match v.state {
            TransferState::Transferred => println!(
                "{}\ttransferred\t{}\t{}",
                t.number,
                v.remote_id.as_deref().unwrap_or_default(),
                v.link.as_deref().unwrap_or_default()
            ),
            TransferState::Problematic => {
                not_through += 1;
                println!(
                    "{}\tproblematic\t{}",
                    t.number,
                    v.last_error.as_deref().unwrap_or_default()
                );
            }
            TransferState::Pending => {
                not_through += 1;
                println!(
                    "{}\tpending\t{}",
                    t.number,
                    v.last_error.as_deref().unwrap_or("will be retried")
                );
            }
        }
    }
    if not_through > 0 {
        return Err(NotAllTransferred(not_through).into());
    }
    Ok(())
}

async fn status(engine: &Engine, orders: &[String], as_json: bool) -> Result<()> {
    let ids = order_ids(engine, orders).await?;
    let transfers = engine.transfer_status(&ids, None).await?;
    if as_json {
        let rows: Vec<_> = transfers
            .iter()
            .map(|t| {
                json!({
                    "number": t.number,
                    "order_id": t.order_id,
                    "target": t.transfer.target,
                    "state": t.transfer.state.as_str(),
                    "external_id": t.transfer.remote_id,
                    "url": t.transfer.link,
                    "error": t.transfer.last_error,
                    "remote_status": t.transfer.remote_status,
                    "tracking_number": t.transfer.tracking_number,
                    "at": t.transfer.updated_at,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    for t in transfers {
        let v = &t.transfer;
        println!(
            "{}\t{}\t{}\t{}\t{}",
            t.number,
            v.target,
            v.state.as_str(),
            v.remote_id.as_deref().unwrap_or_default(),
            v.last_error
                .as_deref()
                .or(v.remote_status.as_deref())
                .unwrap_or_default()
        );
    }
    Ok(())
}
