//! The shop's orders (All orders) from the command line: made from a JSON draft with the
//! New-order form's rules, and shown as JSON for scripts.

use std::path::Path;

use anyhow::{bail, Context, Result};
use ordertray_core::cabinet::{DraftProblem, ShopOrderFull};
use ordertray_core::draft_file::DraftFile;
use ordertray_core::statuses::ShopStatus;
use ordertray_core::ErrorWords;
use ordertray_engine::Engine;
use serde_json::{json, Value};

pub async fn create(engine: &Engine, file: &Path, as_json: bool) -> Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("{}", file.display()))?;
    let parsed: DraftFile =
        serde_json::from_str(&text).with_context(|| format!("{}: not an order draft", file.display()))?;
    let methods = engine.settings().await?.delivery_methods;
    let draft = match parsed.into_draft(&methods) {
        Ok(d) => d,
        Err(problems) => refuse(&problems)?,
    };
    let order = match engine.create_shop_order(draft).await {
        Ok(o) => o,
        Err(e) => match e.words.as_deref() {
            Some(ErrorWords::OrderProblems { problems }) => refuse(problems)?,
            _ => return Err(e.into()),
        },
    };
    if as_json {
        print_json(engine, &order).await
    } else {
        println!("{}\t{}", order.id, order.draft.number);
        Ok(())
    }
}

/// Each problem on its own line by its field (stderr), and nothing stored.
fn refuse<T>(problems: &[DraftProblem]) -> Result<T> {
    for p in problems {
        eprintln!("{}: {}", p.field, p.message);
    }
    bail!("the order was not created: {} problem(s)", problems.len())
}

pub async fn show(engine: &Engine, number_or_id: &str, as_json: bool) -> Result<()> {
    let order = engine.find_shop_order(number_or_id).await?;
    if as_json {
        return print_json(engine, &order).await;
    }
    let d = &order.draft;
    let statuses = engine.shop_statuses().await?;
    println!(
        "{}\t{}\t{}",
        order.id,
        d.number,
        status_key(&statuses, order.status_id)
    );
    println!(
        "recipient\t{}\t{}\t{}",
        d.recipient.name, d.recipient.phone, d.recipient.email
    );
    println!("address\t{}", d.address.text);
    for i in &d.items {
        println!(
            "item\t{}\t{}\t{}\t{} × {}",
            i.article, i.brand, i.name, i.quantity, i.price
        );
    }
    println!("total\t{} {}", d.total(), d.currency);
    Ok(())
}

pub async fn preorder_link(engine: &Engine, number_or_id: &str) -> Result<()> {
    let order = engine.find_shop_order(number_or_id).await?;
    let link = engine.preorder_link(order.id).await?;
    println!("{}", link.url);
    eprintln!(
        "works once, until {}; an earlier link of order {} no longer works",
        link.expires_at.format("%Y-%m-%d %H:%M UTC"),
        order.draft.number
    );
    Ok(())
}

async fn print_json(engine: &Engine, order: &ShopOrderFull) -> Result<()> {
    let statuses = engine.shop_statuses().await?;
    let methods = engine.settings().await?.delivery_methods;
    let d = &order.draft;
    let method_name = d.method(&methods).map(|m| m.name.clone());
    let shown: Value = json!({
        "id": order.id,
        "number": d.number,
        "created_at": order.created_at,
        "status": status_key(&statuses, order.status_id),
        "preorder": d.preorder,
        "recipient": d.recipient,
        "address": d.address,
        "items": d.items,
        "items_total": d.items_total(),
        "delivery_method": d.delivery_method,
        "delivery_method_name": method_name,
        "delivery_cost": d.delivery_cost,
        "total": d.total(),
        "currency": d.currency,
        "payment_method": d.payment_method,
        "paid": d.paid,
        "awaiting_payment": d.awaiting_payment(),
        "cod_amount": d.cod_amount(),
        "declared_value": d.declared_value,
        "order_type": d.order_type,
        "weight_g": d.weight_g,
        "transfers": order.transfers,
    });
    println!("{}", serde_json::to_string_pretty(&shown)?);
    Ok(())
}

/// A built-in status by its code ("new", "preorder"), the shop's own by its name.
fn status_key(statuses: &[ShopStatus], id: Option<i64>) -> String {
    statuses
        .iter()
        .find(|s| Some(s.id) == id)
        .map(|s| s.code.clone().unwrap_or_else(|| s.name.clone()))
        .unwrap_or_default()
}
