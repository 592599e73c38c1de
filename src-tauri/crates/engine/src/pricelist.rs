//! Price-list files: CSV (UTF-8 or CP1251, any common delimiter) and spreadsheets (XLSX, XLS,
//! ODS through calamine). A reader thread turns rows into offers while the store writes them, so
//! a million-row file streams through with flat memory (CSV) and one transaction.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use calamine::{open_workbook_auto, Data, Reader};
use encoding_rs::WINDOWS_1251;
use encoding_rs_io::DecodeReaderBytesBuilder;
use ordertray_core::pricelist::{
    guess_mapping, looks_like_header, parse_offer_row, sniff_delimiter, ColumnMapping, ImportOptions,
    ImportPreview, ImportSummary, ListSettings, OfferMatch, OfferRow, OfferView, PriceListView, RejectCode,
    RejectCount, RowReject, TextEncoding,
};
use ordertray_core::{AppError, EngineEvent, ErrorCode, ErrorWords, ValueFormat};
use tokio::sync::mpsc;

use crate::{Engine, Result};

/// Rows handed from the reader thread to the writer at a time.
const CHUNK: usize = 2_000;
/// Rejected rows listed one by one in the summary (all are counted).
const REJECTS_LISTED: usize = 100;
const PREVIEW_ROWS: usize = 10;
const PROGRESS_EVERY: Duration = Duration::from_millis(150);

enum Item {
    Offer(OfferRow),
    Reject(RowReject),
}

struct Chunk {
    items: Vec<Item>,
    done: u64,
    total: u64,
}

/// A file's rows as text cells, whatever its format.
struct RowSource {
    rows: Box<dyn Iterator<Item = Result<Vec<String>>> + Send>,
    /// Progress: bytes read of a CSV file, rows handed out of a sheet.
    done: Arc<AtomicU64>,
    total: u64,
    options: ImportOptions,
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> AppError {
    AppError::refused(ErrorWords::CannotRead {
        path: path.display().to_string(),
        detail: e.to_string(),
    })
}

fn is_spreadsheet(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods"
        )
    })
}

fn open_rows(path: &Path, options: &ImportOptions) -> Result<RowSource> {
    if is_spreadsheet(path) {
        open_sheet(path, options)
    } else {
        open_csv(path, options)
    }
}

fn open_sheet(path: &Path, options: &ImportOptions) -> Result<RowSource> {
    // calamine panics on some damaged files (a cell reference that overflows, found by the
    // generative tests below): such a file is refused with a message like any other damage.
    let read = || -> Result<calamine::Range<Data>> {
        let mut book = open_workbook_auto(path).map_err(|e| io_error(path, e))?;
        book.worksheet_range_at(0)
            .ok_or_else(|| {
                AppError::refused(ErrorWords::NoSheets {
                    path: path.display().to_string(),
                })
            })?
            .map_err(|e| io_error(path, e))
    };
    let range = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).map_err(|_| {
        AppError::refused(ErrorWords::SheetDamaged {
            path: path.display().to_string(),
        })
    })??;
    let (height, width) = range.get_size();
    let done = Arc::new(AtomicU64::new(0));
    let counter = done.clone();
    // Rows become text one at a time, so the sheet is not held twice in memory.
    let rows = (0..height).map(move |r| {
        counter.fetch_add(1, Ordering::Relaxed);
        Ok((0..width)
            .map(|c| range.get((r, c)).map(cell_text).unwrap_or_default())
            .collect())
    });
    Ok(RowSource {
        rows: Box::new(rows),
        done,
        total: height as u64,
        options: ImportOptions {
            delimiter: None,
            encoding: None,
            header: options.header,
        },
    })
}

/// Numbers print without a trailing ".0", so a numeric article stays "123456".
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Counts the bytes read from the file, for progress.
struct Counting<R> {
    inner: R,
    done: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn open_csv(path: &Path, options: &ImportOptions) -> Result<RowSource> {
    let mut head = vec![0u8; 1 << 20];
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let total = file.metadata().map_err(|e| io_error(path, e))?.len();
    let n = read_up_to(&mut file, &mut head).map_err(|e| io_error(path, e))?;
    head.truncate(n);
    let encoding = options.encoding.unwrap_or_else(|| detect_encoding(&head));
    let decoded_head = match encoding {
        TextEncoding::Utf8 => String::from_utf8_lossy(&head).into_owned(),
        TextEncoding::Cp1251 => WINDOWS_1251.decode(&head).0.into_owned(),
    };
    let first_line = decoded_head
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or_default();
    let delimiter = match options.delimiter.as_deref() {
        Some("tab") | Some("\\t") => b'\t',
        Some(d) if d.len() == 1 => d.as_bytes()[0],
        Some(d) => {
            return Err(AppError::refused(ErrorWords::bad_format(
                "delimiter",
                "The delimiter",
                d,
                ValueFormat::OneCharacter,
            )))
        }
        None => sniff_delimiter(first_line),
    };
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    let done = Arc::new(AtomicU64::new(0));
    let counted = Counting {
        inner: BufReader::with_capacity(1 << 16, file),
        done: done.clone(),
    };
    let decoder = DecodeReaderBytesBuilder::new()
        .encoding(Some(match encoding {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Cp1251 => WINDOWS_1251,
        }))
        .bom_override(true)
        .build(counted);
    let reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(decoder);
    let owned_path: PathBuf = path.to_path_buf();
    let rows = reader.into_records().map(move |r| {
        r.map(|rec| rec.iter().map(str::to_string).collect())
            .map_err(|e| io_error(&owned_path, e))
    });
    Ok(RowSource {
        rows: Box::new(rows),
        done,
        total,
        options: ImportOptions {
            delimiter: Some(if delimiter == b'\t' {
                "tab".into()
            } else {
                (delimiter as char).to_string()
            }),
            encoding: Some(encoding),
            header: options.header,
        },
    })
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// UTF-8 when the start of the file is valid UTF-8 (a sequence cut at the end is fine), else CP1251.
fn detect_encoding(head: &[u8]) -> TextEncoding {
    match std::str::from_utf8(head) {
        Ok(_) => TextEncoding::Utf8,
        Err(e) if e.error_len().is_none() => TextEncoding::Utf8,
        Err(_) => TextEncoding::Cp1251,
    }
}

fn blank(row: &[String]) -> bool {
    row.iter().all(|c| c.trim().is_empty())
}

/// Reads the whole source on the calling (blocking) thread, sending offers and rejects in chunks.
fn read_offers(source: RowSource, mapping: &ColumnMapping, tx: &mpsc::Sender<Result<Chunk>>) {
    let RowSource {
        rows,
        done,
        total,
        options,
    } = source;
    let mut items = Vec::with_capacity(CHUNK);
    let mut first = true;
    for (index, row) in rows.enumerate() {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        };
        if blank(&row) {
            continue;
        }
        if std::mem::take(&mut first) && options.header.unwrap_or_else(|| looks_like_header(&row, mapping)) {
            continue;
        }
        // The decoder put U+FFFD for bytes that are not UTF-8: the row would be imported garbled
        // ("���"), so it is rejected and the summary says why.
        let garbled = (options.encoding == Some(TextEncoding::Utf8))
            .then(|| row.iter().find(|c| c.contains('\u{FFFD}')))
            .flatten();
        if let Some(cell) = garbled {
            items.push(Item::Reject(RowReject {
                row: index as u64 + 1,
                code: RejectCode::NotUtf8,
                value: cell.clone(),
            }));
        } else {
            items.push(match parse_offer_row(&row, mapping) {
                Ok(offer) => Item::Offer(offer),
                Err((code, value)) => Item::Reject(RowReject {
                    row: index as u64 + 1,
                    code,
                    value,
                }),
            });
        }
        if items.len() == CHUNK {
            let chunk = Chunk {
                items: std::mem::replace(&mut items, Vec::with_capacity(CHUNK)),
                done: done.load(Ordering::Relaxed),
                total,
            };
            if tx.blocking_send(Ok(chunk)).is_err() {
                return;
            }
        }
    }
    let _ = tx.blocking_send(Ok(Chunk {
        items,
        done: total,
        total,
    }));
}

impl Engine {
    /// The first rows as they would be read, with detected options and a guessed mapping.
    pub async fn preview_price_list(&self, path: &Path, options: &ImportOptions) -> Result<ImportPreview> {
        let path = path.to_path_buf();
        let options = options.clone();
        tokio::task::spawn_blocking(move || {
            let source = open_rows(&path, &options)?;
            let mut rows = vec![];
            for row in source.rows {
                let row = row?;
                if !blank(&row) {
                    rows.push(row);
                }
                if rows.len() > PREVIEW_ROWS {
                    break;
                }
            }
            let header_detected = rows
                .first()
                .is_some_and(|r| !r.iter().any(|c| c.chars().any(|ch| ch.is_ascii_digit())));
            let has_header = source.options.header.unwrap_or(header_detected);
            let header = if has_header && !rows.is_empty() {
                Some(rows.remove(0))
            } else {
                None
            };
            rows.truncate(PREVIEW_ROWS);
            Ok(ImportPreview {
                mapping: header.as_deref().and_then(guess_mapping),
                header,
                rows,
                options: ImportOptions {
                    header: Some(has_header),
                    ..source.options
                },
            })
        })
        .await
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?
    }

    /// Replaces the offers of list `name` with the file's rows. Without `settings` the list's
    /// remembered mapping is used. Progress goes out as [`EngineEvent::ImportProgress`].
    pub async fn import_price_list(
        &self,
        path: &Path,
        name: &str,
        settings: Option<ListSettings>,
    ) -> Result<ImportSummary> {
        let settings = match settings {
            Some(s) => s,
            None => self
                .0
                .store
                .price_list_by_name(name)
                .await?
                .map(|l| l.settings)
                .ok_or_else(|| {
                    AppError::refused(ErrorWords::PriceListColumnsNeeded {
                        name: name.trim().to_string(),
                    })
                })?,
        };
        let source = {
            let (path, options) = (path.to_path_buf(), settings.options.clone());
            tokio::task::spawn_blocking(move || open_rows(&path, &options))
                .await
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))??
        };
        // Remember what was detected, so the next import reads the file the same way.
        let remembered = ListSettings {
            mapping: settings.mapping.clone(),
            options: ImportOptions {
                header: settings.options.header,
                ..source.options.clone()
            },
        };
        let mut import = self.0.store.begin_list_import(name, &remembered).await?;
        let (tx, mut rx) = mpsc::channel::<Result<Chunk>>(8);
        let mapping = settings.mapping.clone();
        let reader = tokio::task::spawn_blocking(move || read_offers(source, &mapping, &tx));

        let list = import.name().to_string();
        let (mut rows_read, mut rejected) = (0u64, 0u64);
        let mut counts: BTreeMap<RejectCode, u64> = BTreeMap::new();
        let mut rejects = vec![];
        let mut last_progress = Instant::now();
        while let Some(chunk) = rx.recv().await {
            let chunk = chunk?;
            for item in chunk.items {
                rows_read += 1;
                match item {
                    Item::Offer(o) => import.add(o).await?,
                    Item::Reject(r) => {
                        rejected += 1;
                        *counts.entry(r.code).or_default() += 1;
                        if rejects.len() < REJECTS_LISTED {
                            rejects.push(r);
                        }
                    }
                }
            }
            if last_progress.elapsed() >= PROGRESS_EVERY {
                last_progress = Instant::now();
                self.emit(EngineEvent::ImportProgress {
                    list: list.clone(),
                    done: chunk.done,
                    total: chunk.total,
                    rows: rows_read,
                });
            }
        }
        reader
            .await
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        if import.offers() == 0 && rejected > 0 {
            // A file read with the wrong columns (or the wrong file) would empty the list: dropping
            // the import rolls it back, the old offers stay.
            drop(import);
            return Err(AppError::refused(ErrorWords::PriceListNothingRead {
                name: list,
                rejected,
            }));
        }
        let list_id = import.list_id();
        let source_name = path.file_name().map(|f| f.to_string_lossy().into_owned());
        let offers = import.finish(source_name.as_deref(), rows_read, rejected).await?;
        tracing::info!(list = %list, rows_read, offers, rejected, "price list imported");
        self.emit(EngineEvent::ImportProgress {
            list: list.clone(),
            done: 1,
            total: 1,
            rows: rows_read,
        });
        // The inbox's inline offers come from the lists: it looks them up again.
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        Ok(ImportSummary {
            list_id,
            list,
            rows_read,
            offers,
            rejected,
            reject_counts: counts
                .into_iter()
                .map(|(code, count)| RejectCount { code, count })
                .collect(),
            rejects,
        })
    }

    pub async fn price_lists(&self) -> Result<Vec<PriceListView>> {
        Ok(self.0.store.price_lists().await?)
    }

    pub async fn delete_price_list(&self, id: i64) -> Result<()> {
        self.0.store.delete_price_list(id).await?;
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        Ok(())
    }

    pub async fn search_offers(&self, text: &str, limit: u32) -> Result<Vec<OfferView>> {
        Ok(self.0.store.search_offers(text, limit).await?)
    }

    pub async fn line_offers(&self, line_id: i64) -> Result<Vec<OfferMatch>> {
        Ok(self.0.store.line_offer_matches(line_id).await?)
    }
}

/// Generative tests of the readers of suppliers' files: CSV in either encoding with any
/// delimiter, and spreadsheets, both from valid files mutated (cells of odd unicode and huge
/// numbers, bytes flipped, files cut off). Reading may refuse a file with a message; it may not
/// panic, and every row ends as an offer or a reject with its code.
#[cfg(test)]
mod generative_tests {
    use proptest::prelude::*;

    use super::*;

    const CSV_CASES: u32 = 2_000;
    const SHEET_CASES: u32 = 3_000;

    fn mapping() -> ColumnMapping {
        ColumnMapping {
            brand: Some(0),
            article: 1,
            name: Some(2),
            price: 3,
            stock: Some(4),
            delivery_days: Some(5),
            supplier: None,
        }
    }

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("MANN".to_string()),
            Just("W 712/75".to_string()),
            Just("1 234,50".to_string()),
            Just("79228162514264337593543950335".to_string()),
            Just("-1".to_string()),
            Just("9223372036854775807".to_string()),
            Just("\"quoted, with \"\"quotes\"\"\"".to_string()),
            Just("\u{202e}\u{200b}\u{feff}".to_string()),
            Just("Фильтр масляный".to_string()),
            Just("=HYPERLINK(\"x\")".to_string()),
            "[a-zA-Z0-9 ,.;\t\"]{0,10}",
            any::<String>(),
        ]
    }

    /// Reads the whole file as an import would; the error, if any, is a message.
    fn read_all(path: &Path, options: &ImportOptions) -> std::result::Result<usize, String> {
        let source = open_rows(path, options).map_err(|e| e.message)?;
        let (tx, mut rx) = mpsc::channel(1_024);
        read_offers(source, &mapping(), &tx);
        drop(tx);
        let mut items = 0;
        while let Ok(chunk) = rx.try_recv() {
            items += chunk.map_err(|e| e.message)?.items.len();
        }
        Ok(items)
    }

    fn sample_xlsx() -> Vec<u8> {
        static SAMPLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        SAMPLE.get_or_init(make_xlsx).clone()
    }

    fn make_xlsx() -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in [
            ["Бренд", "Артикул", "Название", "Цена", "Остаток", "Срок"],
            ["MANN", "W 712/75", "Фильтр", "612,50", "4", "2"],
            ["BOSCH", "0 986 452 041", "Фильтр", "498.5", "", "1"],
        ]
        .iter()
        .enumerate()
        {
            for (c, text) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *text).unwrap();
            }
        }
        sheet.write_number(3, 3, 1e300).unwrap();
        sheet.write_number(3, 1, 123456.0).unwrap();
        book.save_to_buffer().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(CSV_CASES))]

        #[test]
        fn csv_lists_never_panic(
            rows in prop::collection::vec(prop::collection::vec(cell(), 0..8), 0..12),
            delimiter in prop::sample::select(&[",", ";", "\t", "|"][..]),
            cp1251 in any::<bool>(),
            flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
            given in prop::option::of(prop::sample::select(&[",", ";", "tab", "\\t", "ab", "é"][..])),
            header in prop::option::of(any::<bool>()),
        ) {
            let text: String = rows
                .iter()
                .map(|r| r.join(delimiter))
                .collect::<Vec<_>>()
                .join("\r\n");
            let mut bytes = if cp1251 {
                WINDOWS_1251.encode(&text).0.into_owned()
            } else {
                text.into_bytes()
            };
            for (at, b) in flips {
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    bytes[i] = b;
                }
            }
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("list.csv");
            std::fs::write(&path, &bytes).unwrap();
            let options = ImportOptions {
                delimiter: given.map(str::to_string),
                encoding: None,
                header,
            };
            if let Err(e) = read_all(&path, &options) {
                prop_assert!(!e.trim().is_empty());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(SHEET_CASES))]

        #[test]
        fn spreadsheets_never_panic(
            flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
            cut in prop::option::of(any::<prop::sample::Index>()),
        ) {
            let mut bytes = sample_xlsx();
            for (at, b) in flips {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            if let Some(cut) = cut {
                bytes.truncate(cut.index(bytes.len()));
            }
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("list.xlsx");
            std::fs::write(&path, &bytes).unwrap();
            if let Err(e) = read_all(&path, &ImportOptions::default()) {
                prop_assert!(!e.trim().is_empty());
            }
        }
    }
}
