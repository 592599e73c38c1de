//! `pricelist` and `offers` commands.

use std::path::Path;

use anyhow::{anyhow, bail, Result};
use ordertray_core::pricelist::{resolve_column, ColumnMapping, ImportOptions, ListSettings, TextEncoding};
use ordertray_engine::Engine;

/// Fields `--columns` knows, with the names a shop would type.
const FIELDS: &[&str] = &["brand", "article", "name", "price", "stock", "days", "supplier"];

pub struct ImportArgs<'a> {
    pub path: &'a Path,
    pub name: &'a str,
    pub delimiter: Option<String>,
    pub encoding: Option<String>,
    pub columns: Option<String>,
    pub no_header: bool,
    pub json: bool,
}

pub async fn import(engine: &Engine, a: ImportArgs<'_>) -> Result<()> {
    let encoding = a
        .encoding
        .as_deref()
        .map(|e| TextEncoding::parse(e).ok_or_else(|| anyhow!("unknown encoding '{e}' (utf-8 or cp1251)")))
        .transpose()?;
    let mut options = ImportOptions {
        delimiter: a.delimiter,
        encoding,
        header: a.no_header.then_some(false),
    };
    let settings = match a.columns.as_deref() {
        Some(spec) => {
            let pairs = parse_columns(spec)?;
            let by_name = pairs.iter().any(|(_, v)| v.parse::<u32>().is_err());
            if by_name && options.header == Some(false) {
                bail!("columns are given by title, but --no-header says the file has no titles");
            }
            let preview = engine.preview_price_list(a.path, &options).await?;
            options.header = preview.options.header;
            let header = preview.header.as_deref();
            let col = |field: &str| -> Result<Option<u32>> {
                pairs
                    .iter()
                    .find(|(f, _)| f == field)
                    .map(|(_, v)| resolve_column(v, header).map_err(|e| anyhow!("--columns {field}: {e}")))
                    .transpose()
            };
            let required = |field: &str| -> Result<u32> {
                col(field)?.ok_or_else(|| anyhow!("--columns must say where the {field} is"))
            };
            Some(ListSettings {
                mapping: ColumnMapping {
                    brand: col("brand")?,
                    article: required("article")?,
                    name: col("name")?,
                    price: required("price")?,
                    stock: col("stock")?,
                    delivery_days: col("days")?,
                    supplier: col("supplier")?,
                },
                options,
            })
        }
        None if engine
            .price_lists()
            .await?
            .iter()
            .any(|l| l.name == a.name.trim()) =>
        {
            None
        }
        None => {
            let preview = engine.preview_price_list(a.path, &options).await?;
            let mapping = preview.mapping.ok_or_else(|| {
                anyhow!("cannot tell the columns from the file's titles; say them with --columns article=…,price=…")
            })?;
            Some(ListSettings {
                mapping,
                options: preview.options,
            })
        }
    };
    let summary = engine.import_price_list(a.path, a.name, settings).await?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(());
    }
    println!(
        "price list «{}»: {} row(s) read, {} offer(s), {} rejected",
        summary.list, summary.rows_read, summary.offers, summary.rejected
    );
    for c in &summary.reject_counts {
        println!("  {} row(s): {}", c.count, c.code.describe());
    }
    for r in &summary.rejects {
        println!("  row {}: {} ('{}')", r.row, r.code.describe(), r.value);
    }
    Ok(())
}

/// "brand=1,article=Артикул" → [("brand","1"), ("article","Артикул")].
fn parse_columns(spec: &str) -> Result<Vec<(String, String)>> {
    spec.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            let (field, value) = pair
                .split_once('=')
                .ok_or_else(|| anyhow!("--columns: '{pair}' is not field=column"))?;
            let field = field.trim().to_lowercase();
            let field = if field == "delivery_days" {
                "days".to_string()
            } else {
                field
            };
            if !FIELDS.contains(&field.as_str()) {
                bail!(
                    "--columns: unknown field '{field}' (known: {})",
                    FIELDS.join(", ")
                );
            }
            Ok((field, value.trim().to_string()))
        })
        .collect()
}

pub async fn list(engine: &Engine, json: bool) -> Result<()> {
    let lists = engine.price_lists().await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&lists)?);
        return Ok(());
    }
    for l in lists {
        println!(
            "{}\t{}\t{} offer(s)\t{} rejected\t{}\t{}",
            l.id,
            l.name,
            l.offers,
            l.rows_rejected,
            l.source.unwrap_or_default(),
            l.imported_at
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default()
        );
    }
    Ok(())
}

pub async fn search(engine: &Engine, text: &str, limit: u32, json: bool) -> Result<()> {
    let offers = engine.search_offers(text, limit).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&offers)?);
        return Ok(());
    }
    for o in offers {
        println!(
            "{}\t{}\t{}\t{}\tstock {}\t{} day(s)\t{}",
            o.brand,
            o.article,
            o.name,
            o.price,
            o.stock.map_or("?".into(), |s| s.to_string()),
            o.delivery_days.map_or("?".into(), |d| d.to_string()),
            o.list
        );
    }
    Ok(())
}
