//! `export csv` and `orders search`: the cabinet from the command line.

use anyhow::{anyhow, bail, Result};
use ordertray_core::cabinet::{OrderFilter, OrderPageQuery, OrderType, Period};
use ordertray_core::export::{
    default_columns, CsvEncoding, Delimiter, ExportColumn, ExportFilter, ExportOptions, ExportPayment,
};
use ordertray_core::notify_text::Lang;
use ordertray_engine::Engine;

use crate::args::ExportCsvArgs;

pub async fn export_csv(engine: &Engine, a: ExportCsvArgs) -> Result<()> {
    let options = ExportOptions {
        filter: ExportFilter {
            order_type: a
                .order_type
                .as_deref()
                .map(|t| OrderType::parse(t).ok_or_else(|| anyhow!("unknown order type '{t}'")))
                .transpose()?,
            status_id: match &a.status {
                Some(s) => Some(status_id(engine, s).await?),
                None => None,
            },
            period: Period::parse(&a.period)
                .ok_or_else(|| anyhow!("unknown period '{}' (month, 3months, year, all)", a.period))?,
            payment: a
                .payment
                .as_deref()
                .map(|p| ExportPayment::parse(p).ok_or_else(|| anyhow!("unknown payment method '{p}'")))
                .transpose()?,
            paid: a.paid,
        },
        delimiter: Delimiter::parse(&a.delimiter)
            .ok_or_else(|| anyhow!("unknown delimiter '{}' (, ; tab)", a.delimiter))?,
        encoding: CsvEncoding::parse(&a.encoding)
            .ok_or_else(|| anyhow!("unknown encoding '{}' (utf-8, cp1251)", a.encoding))?,
        columns: match &a.columns {
            Some(list) => list
                .split(',')
                .filter(|c| !c.trim().is_empty())
                .map(|c| ExportColumn::parse(c).ok_or_else(|| anyhow!("unknown column '{}'", c.trim())))
                .collect::<Result<_>>()?,
            None => default_columns(),
        },
        lang: match a.lang.as_deref() {
            Some("en") => Lang::En,
            Some("ru") => Lang::Ru,
            Some("pl") => Lang::Pl,
            Some(other) => bail!("unknown language '{other}' (en, ru, pl)"),
            None => engine.lang(),
        },
    };
    let summary = engine.export_csv(&a.out, &options).await?;
    eprintln!(
        "{}: {} orders, {} rows, {} bytes{}",
        summary.path,
        summary.orders,
        summary.rows,
        summary.bytes,
        if summary.replaced_chars > 0 {
            format!(
                ", {} characters not in the encoding written as ?",
                summary.replaced_chars
            )
        } else {
            String::new()
        }
    );
    Ok(())
}

/// A shop status by id, built-in code or name (any case).
async fn status_id(engine: &Engine, s: &str) -> Result<i64> {
    let statuses = engine.shop_statuses().await?;
    statuses
        .iter()
        .find(|st| {
            st.id.to_string() == s
                || st.code.as_deref() == Some(s)
                || (!st.name.is_empty() && st.name.to_lowercase() == s.to_lowercase())
        })
        .map(|st| st.id)
        .ok_or_else(|| anyhow!("no shop status '{s}'"))
}

pub async fn search(engine: &Engine, text: String, limit: u32, json: bool) -> Result<()> {
    let rows = engine
        .cabinet_rows(&OrderPageQuery {
            filter: OrderFilter {
                search: text,
                ..Default::default()
            },
            limit,
            ..Default::default()
        })
        .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        for r in rows {
            println!(
                "{}\t{}\t{}\t{} {}\t{}",
                r.id,
                r.number,
                r.recipient_name,
                r.total,
                r.currency,
                r.created_at.format("%Y-%m-%d %H:%M")
            );
        }
    }
    Ok(())
}
