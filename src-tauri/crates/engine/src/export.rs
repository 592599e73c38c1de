//! CSV export of the cabinet's orders: streamed batch by batch into a part file that becomes the
//! real file only when complete, with progress events and cancel.

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use chrono::Utc;
use ordertray_core::cabinet::OrderFilter;
use ordertray_core::export::{CsvExporter, ExportFilter, ExportOptions, ExportPayment, ExportSummary};
use ordertray_core::statuses::status_name;
use ordertray_core::{AppError, EngineEvent, ErrorCode, ErrorWords};
use ordertray_store::ExportBatchJson;

use crate::{Engine, Result};

/// Orders read per batch: enough to keep SQLite busy, small enough for flat memory.
const BATCH: u32 = 1_000;

impl Engine {
    /// Writes the orders the options choose to `path`. The same options give the same bytes
    /// whether the dialog or the CLI asks.
    pub async fn export_csv(&self, path: &Path, options: &ExportOptions) -> Result<ExportSummary> {
        if options.columns.is_empty() {
            return Err(AppError::refused(ErrorWords::NoExportColumns {}));
        }
        self.0.export_cancel.store(false, Ordering::SeqCst);
        let filter = export_filter(&options.filter, Utc::now());
        let total = self.0.store.cabinet_count(&filter).await?.max(0) as u64;
        let part = part_path(path);
        let result = self.write_export(&part, options, &filter, total).await;
        match result {
            Ok(mut summary) => {
                std::fs::rename(&part, path).map_err(|e| io_error(path, &e))?;
                summary.path = path.display().to_string();
                self.0
                    .exported
                    .lock()
                    .expect("exported paths")
                    .insert(path.to_path_buf());
                tracing::info!(
                    orders = summary.orders,
                    rows = summary.rows,
                    bytes = summary.bytes,
                    "CSV export written"
                );
                Ok(summary)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&part);
                Err(e)
            }
        }
    }

    /// Stops a running export; its file is not left behind.
    pub fn cancel_export(&self) {
        self.0.export_cancel.store(true, Ordering::SeqCst);
    }

    /// Whether this run wrote the file, an export or a diagnostic bundle (only those are opened
    /// or shown on request).
    pub fn was_exported(&self, path: &Path) -> bool {
        self.0.exported.lock().expect("exported paths").contains(path)
    }

    async fn write_export(
        &self,
        part: &Path,
        options: &ExportOptions,
        filter: &OrderFilter,
        total: u64,
    ) -> Result<ExportSummary> {
        let words: HashMap<i64, String> = self
            .0
            .store
            .shop_statuses()
            .await?
            .iter()
            .map(|s| (s.id, status_name(s, options.lang)))
            .collect();
        // Orders name their delivery method by id; the file gives the name the shop knows it by.
        let methods: HashMap<String, String> = self
            .settings()
            .await?
            .delivery_methods
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect();
        let file = std::fs::File::create(part).map_err(|e| io_error(part, &e))?;
        let mut csv = CsvExporter::new(BufWriter::new(file), options.clone(), chrono::Local);
        csv.write_header().map_err(|e| io_error(part, &e))?;
        // Batch n is parsed and written on a blocking thread while SQLite builds batch n + 1: the
        // export then takes about as long as the reading. One batch waits in the channel at most,
        // so memory stays flat and a cancel still lands within a batch or two.
        let (batches, mut queue) = tokio::sync::mpsc::channel::<ExportBatchJson>(1);
        let writer = {
            let engine = self.clone();
            let part = part.to_path_buf();
            tokio::task::spawn_blocking(move || -> Result<ExportSummary> {
                while let Some(raw) = queue.blocking_recv() {
                    // A cancel most often arrives while a batch is read: heeded before it is written.
                    engine.export_cancelled()?;
                    for mut entry in raw.parse()? {
                        entry.order.status = entry
                            .status_id
                            .and_then(|id| words.get(&id).cloned())
                            .unwrap_or_default();
                        if let Some(name) = methods.get(&entry.order.delivery_method) {
                            entry.order.delivery_method.clone_from(name);
                        }
                        csv.write_order(&entry.order).map_err(|e| io_error(&part, &e))?;
                    }
                    engine.emit(EngineEvent::ExportProgress {
                        done: csv.orders,
                        total: total.max(csv.orders),
                    });
                }
                let summary = ExportSummary {
                    path: String::new(),
                    orders: csv.orders,
                    rows: csv.rows,
                    bytes: csv.bytes,
                    replaced_chars: csv.replaced_chars,
                };
                let mut out = csv.finish().map_err(|e| io_error(&part, &e))?;
                out.flush().map_err(|e| io_error(&part, &e))?;
                out.into_inner()
                    .map_err(|e| io_error(&part, e.error()))?
                    .sync_all()
                    .map_err(|e| io_error(&part, &e))?;
                Ok(summary)
            })
        };
        let read = async {
            let mut after = 0;
            loop {
                self.export_cancelled()?;
                let raw = self
                    .0
                    .store
                    .export_batch_json(filter, after, BATCH, &options.columns)
                    .await?;
                let Some(last) = raw.last_id else {
                    return Ok(());
                };
                after = last;
                // The writer stopped (a failure or a cancel): its own error is the one to report.
                if batches.send(raw).await.is_err() {
                    return Ok(());
                }
            }
        };
        let read: Result<()> = read.await;
        drop(batches);
        let written = writer
            .await
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("export writer failed: {e}")))?;
        read?;
        written
    }

    /// The cancel's error once [`Engine::cancel_export`] was called.
    fn export_cancelled(&self) -> Result<()> {
        if self.0.export_cancel.load(Ordering::SeqCst) {
            Err(AppError::said(
                ErrorCode::Conflict,
                ErrorWords::ExportCancelled {},
            ))
        } else {
            Ok(())
        }
    }
}

/// The cabinet filter an export's choices mean at `now`.
pub fn export_filter(f: &ExportFilter, now: chrono::DateTime<Utc>) -> OrderFilter {
    OrderFilter {
        status_ids: f.status_id.into_iter().collect(),
        types: f.order_type.into_iter().collect(),
        payment: f.payment.map(ExportPayment::methods).unwrap_or_default(),
        paid: f.paid,
        from: f.period.since(now),
        ..Default::default()
    }
}

fn part_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    path.with_file_name(name)
}

/// A write failure (a full disk, a folder that went away) named with its file.
fn io_error(path: &Path, e: &std::io::Error) -> AppError {
    AppError::said(
        ErrorCode::Storage,
        ErrorWords::CannotWrite {
            path: path.display().to_string(),
            detail: e.to_string(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordertray_core::cabinet::PaymentMethod;

    #[test]
    fn the_exports_card_choice_selects_both_card_payments() {
        let now = Utc::now();
        let card = ExportFilter {
            payment: Some(ExportPayment::Card),
            ..Default::default()
        };
        assert_eq!(
            export_filter(&card, now).payment,
            [PaymentMethod::CardOnDelivery, PaymentMethod::CardOnline]
        );
        let one = ExportFilter {
            payment: Some(ExportPayment::Prepaid),
            ..Default::default()
        };
        assert_eq!(export_filter(&one, now).payment, [PaymentMethod::Prepaid]);
        assert!(export_filter(&ExportFilter::default(), now).payment.is_empty());
    }
}
