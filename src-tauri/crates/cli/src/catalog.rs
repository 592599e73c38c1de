//! The catalog's products and the shop's customers, as lines or as JSON.

use anyhow::Result;
use ordertray_core::ProductQuery;
use ordertray_engine::Engine;
use serde_json::json;

/// `products list`: `[{id, name, description, sku, code, unit, category}]` with `--json`.
pub async fn list_products(engine: &Engine, search: String, limit: u32, json: bool) -> Result<()> {
    let query = ProductQuery {
        search,
        category_id: None,
        limit: Some(limit),
    };
    let products = engine.products(&query).await?;
    if json {
        let rows: Vec<_> = products
            .iter()
            .map(|p| {
                json!({"id": p.id, "name": p.name, "description": p.description, "sku": p.sku, "code": p.code,
                       "unit": p.unit, "category": p.category})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        for p in products {
            println!(
                "{}\t{}\t{}\t{}\t{}\t{} orders",
                p.id,
                p.name,
                p.sku,
                p.code,
                p.category.unwrap_or_default(),
                p.orders
            );
        }
    }
    Ok(())
}

/// `customers list`: `[{id, first_name, last_name, phone, email, address}]` with `--json`. A
/// customer whose platform sent one name line has it as `first_name` and no `last_name`.
pub async fn list_customers(engine: &Engine, limit: u32, json: bool) -> Result<()> {
    let customers = engine.customers(limit).await?;
    if json {
        let rows: Vec<_> = customers
            .iter()
            .map(|c| {
                let c = &c.customer;
                let split = c.first_name.is_some() || c.last_name.is_some();
                let first = if split {
                    c.first_name.clone()
                } else {
                    c.name.clone()
                };
                json!({"id": c.id, "first_name": first, "last_name": c.last_name, "phone": c.phone,
                       "email": c.email, "address": c.address})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        for s in customers {
            let c = s.customer;
            println!(
                "{}\t{}\t{}\t{}\t{} orders",
                c.id,
                c.name.unwrap_or_default(),
                c.phone.unwrap_or_default(),
                c.email.unwrap_or_default(),
                s.orders
            );
        }
    }
    Ok(())
}
