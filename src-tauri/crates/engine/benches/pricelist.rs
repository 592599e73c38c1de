//! Price-list benchmark: import a generated CSV of 1,000,000 offers (CP1251, semicolons, the
//! shape suppliers send) into a fresh SQLite file through the engine, then time offer lookups by
//! article (any spelling) and by words. Run: `cargo bench -p ordertray-engine --bench pricelist`
//! (env ORDERTRAY_BENCH_OFFERS changes the size).

mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use ordertray_core::pricelist::{ColumnMapping, ImportOptions, ListSettings, TextEncoding};

const BRANDS: &[&str] = &[
    "MANN-FILTER",
    "Bosch",
    "NGK",
    "Brembo",
    "Gates",
    "KYB",
    "Philips",
    "Febi",
    "Sachs",
    "TRW",
];
const WORDS: &[&str] = &[
    "Фильтр масляный",
    "Колодки тормозные",
    "Свеча зажигания",
    "Ремень ГРМ",
    "Амортизатор задний",
    "Лампа H7",
    "Датчик кислорода",
    "Насос водяной",
    "Подшипник ступицы",
    "Рычаг подвески",
];

fn article(i: u64) -> String {
    format!(
        "{}{:06}-{}",
        (b'A' + (i % 26) as u8) as char,
        i * 7 % 1_000_000,
        i % 97
    )
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let offers: u64 = if smoke {
        2_000
    } else {
        std::env::var("ORDERTRAY_BENCH_OFFERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000_000)
    };
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(offers, smoke));
}

async fn run(offers: u64, smoke: bool) {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("supplier.csv");
    let t = Instant::now();
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
        out.write_all(
            &encoding_rs::WINDOWS_1251
                .encode("Бренд;Артикул;Наименование;Цена;Наличие;Срок\n")
                .0,
        )
        .unwrap();
        for i in 0..offers {
            let line = format!(
                "{};{};{} {};{},{:02};{};{}\n",
                BRANDS[(i % 10) as usize],
                article(i),
                WORDS[(i / 10 % 10) as usize],
                i % 1000,
                100 + i % 9_000,
                i % 100,
                i % 50,
                1 + i % 14
            );
            out.write_all(&encoding_rs::WINDOWS_1251.encode(&line).0).unwrap();
        }
    }
    let file_mb = std::fs::metadata(&csv).unwrap().len() as f64 / 1e6;
    let generated = t.elapsed();

    let engine = support::bench_engine(dir.path()).await;
    let settings = ListSettings {
        mapping: ColumnMapping {
            brand: Some(0),
            article: 1,
            name: Some(2),
            price: 3,
            stock: Some(4),
            delivery_days: Some(5),
            supplier: None,
        },
        options: ImportOptions {
            delimiter: Some(";".into()),
            encoding: Some(TextEncoding::Cp1251),
            header: Some(true),
        },
    };
    let t = Instant::now();
    let summary = engine
        .import_price_list(&csv, "Bench", Some(settings.clone()))
        .await
        .unwrap();
    let import = t.elapsed();
    assert_eq!(summary.offers, offers, "every row becomes an offer");
    let db_size = || {
        let mb = |suffix: &str| {
            std::fs::metadata(dir.path().join(format!("bench.db{suffix}")))
                .map(|m| m.len())
                .unwrap_or(0) as f64
                / 1e6
        };
        (mb(""), mb("-wal"))
    };
    let (first_db, first_wal) = db_size();
    let t = Instant::now();
    engine
        .import_price_list(&csv, "Bench", Some(settings))
        .await
        .unwrap();
    let reimport = t.elapsed();
    let (db, wal) = db_size();
    let db_mb = db + wal;
    // The file once the log is folded into it, and what of it is the search index.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(engine.store().pool())
        .await
        .unwrap();
    let (folded, _) = db_size();
    let pages = |like: &'static str| {
        let pool = engine.store().pool().clone();
        async move {
            sqlx::query_scalar::<_, Option<i64>>("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE ?")
                .bind(like)
                .fetch_one(&pool)
                .await
                .ok()
                .flatten()
                .unwrap_or(0) as f64
                / 1e6
        }
    };
    let (fts_mb, offers_mb) = (pages("offers_text%").await, pages("offers%").await);

    // Lookups: articles spelled the way managers type them, and two-word text searches.
    let samples = if smoke { 50 } else { 2_000 };
    let mut by_article = Vec::with_capacity(samples);
    for k in 0..samples as u64 {
        let i = (k * 7_919) % offers;
        let typed = article(i).to_lowercase().replace('-', " ");
        let t = Instant::now();
        let found = engine.search_offers(&typed, 20).await.unwrap();
        by_article.push(t.elapsed());
        assert!(
            found.iter().any(|o| o.article == article(i)),
            "article {} found",
            article(i)
        );
    }
    let mut by_text = Vec::with_capacity(samples);
    for k in 0..samples as u64 {
        let query = format!(
            "{} {}",
            WORDS[(k % 10) as usize].split(' ').next().unwrap(),
            BRANDS[(k % 10) as usize]
        );
        let t = Instant::now();
        let found = engine.search_offers(&query, 20).await.unwrap();
        by_text.push(t.elapsed());
        assert!(!found.is_empty() || smoke, "'{query}' finds offers");
    }
    // The inbox's inline offers: one batch for a whole inbox of new lines (half of them with an
    // offer), as `Engine::inbox` looks them up on every read.
    let inbox_lines: u64 = if smoke { 100 } else { 10_000 };
    let lookups: Vec<ordertray_store::LineLookup> = (0..inbox_lines)
        .map(|k| ordertray_store::LineLookup {
            line_id: k as i64,
            account_id: 1,
            sku: format!("{}", 1_000_000_000 + k),
            offer_id: if k % 2 == 0 {
                article((k * 104_729) % offers)
            } else {
                format!("NONE-{k}")
            },
            price: rust_decimal::Decimal::from(5_000),
        })
        .collect();
    let mut batches = Vec::with_capacity(5);
    for _ in 0..5 {
        let t = Instant::now();
        let found = engine.store().offer_matches(&lookups).await.unwrap();
        batches.push(t.elapsed());
        assert!(
            found.len() as u64 >= inbox_lines / 2,
            "every second line has an offer"
        );
    }
    batches.sort();
    by_article.sort();
    by_text.sort();
    let rate = offers as f64 / import.as_secs_f64();
    println!("price list: {offers} offers, {file_mb:.1} MB CSV (CP1251) generated in {generated:.1?}");
    println!("import: {import:.2?} ({rate:.0} rows/s); re-import replacing all: {reimport:.2?}; database {db_mb:.0} MB");
    println!(
        "database after the first import {first_db:.0} MB + WAL {first_wal:.0} MB; after the re-import {db:.0} MB + WAL {wal:.0} MB, \
         {folded:.0} MB with the WAL checkpointed, of which offers + indexes {:.0} MB, search index {fts_mb:.0} MB",
        offers_mb - fts_mb
    );
    println!(
        "lookup by article ({samples}×): p50 {:.2?}, p95 {:.2?}",
        percentile(&by_article, 0.5),
        percentile(&by_article, 0.95)
    );
    println!(
        "lookup by words ({samples}×): p50 {:.2?}, p95 {:.2?}",
        percentile(&by_text, 0.5),
        percentile(&by_text, 0.95)
    );
    println!(
        "inline offers of an inbox of {inbox_lines} new lines, one batch (5×): median {:.2?}, max {:.2?}",
        percentile(&batches, 0.5),
        percentile(&batches, 1.0)
    );
}
