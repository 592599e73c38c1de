//! What a manager hands to support: recent log lines and a zip bundle (logs, settings, accounts,
//! about) with every secret and every customer's personal data replaced by "[redacted]".

use std::io::Write;
use std::path::{Path, PathBuf};

use ordertray_core::{AppError, ErrorCode, ErrorWords};
use serde::Serialize;
use serde_json::json;

use crate::redaction::{Redactor, RedactorBuilder};
use crate::{Engine, Result};

pub const REDACTED: &str = "[redacted]";
/// A log file larger than this contributes only its end.
const MAX_LOG_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Serialize)]
pub struct BundleReport {
    pub path: PathBuf,
    pub files: Vec<String>,
}

impl Engine {
    /// The last `n` lines of the newest log file, redacted.
    pub async fn recent_log_lines(&self, log_dir: &Path, n: usize) -> Result<Vec<String>> {
        let Some(newest) = log_files(log_dir).pop() else {
            return Ok(vec![]);
        };
        let text = read_tail(&newest);
        let lines: Vec<&str> = text.lines().collect();
        let sensitive = self.redactor().await?;
        Ok(lines[lines.len().saturating_sub(n)..]
            .iter()
            .map(|l| sensitive.redact(l, REDACTED))
            .collect())
    }

    /// Writes the bundle to `out` (a .zip path).
    pub async fn write_diagnostics(&self, log_dir: &Path, out: &Path) -> Result<BundleReport> {
        let sensitive = self.redactor().await?;
        let info = self.app_info().await?;
        let db_bytes = std::fs::metadata(&info.db_path).map(|m| m.len()).unwrap_or(0);
        let about = json!({
            "app": info,
            "os": std::env::consts::OS,
            "arch": std::env::consts::ARCH,
            "db_bytes": db_bytes,
            "written_at": chrono::Utc::now().to_rfc3339(),
        });
        let mut entries: Vec<(String, String)> = vec![
            ("about.json".into(), pretty(&about)?),
            ("settings.json".into(), pretty(&self.settings().await?)?),
            ("accounts.json".into(), pretty(&self.list_accounts().await?)?),
        ];
        for file in log_files(log_dir) {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            entries.push((format!("logs/{name}"), read_tail(&file)));
        }
        let files = entries.iter().map(|(name, _)| name.clone()).collect();
        // Redacting megabytes of logs is CPU work: off the runtime's threads.
        let target = out.to_path_buf();
        tokio::task::spawn_blocking(move || write_zip(&target, &entries, &sensitive))
            .await
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?
            .map_err(|e| {
                AppError::said(
                    ErrorCode::Storage,
                    ErrorWords::CannotWrite {
                        path: out.display().to_string(),
                        detail: e.to_string(),
                    },
                )
            })?;
        // Like an export, the bundle may then be shown in its folder (and only this file).
        self.0
            .exported
            .lock()
            .expect("exported paths")
            .insert(out.to_path_buf());
        Ok(BundleReport {
            path: out.to_path_buf(),
            files,
        })
    }

    /// Finds the secrets of every account and every customer's personal data.
    async fn redactor(&self) -> Result<Redactor> {
        let mut values = RedactorBuilder::default();
        self.0
            .store
            .visit_personal_data(|value| values.add(value))
            .await?;
        for account in self.0.store.accounts().await? {
            if account.demo {
                let demo = self.credentials(&account).await?;
                demo.exposed_values().for_each(|v| values.add(v));
                continue;
            }
            // Every field, ours too (intake tokens, webhook secrets: a logged push address carries
            // its token), one by one: a field never set (or a variable not set) has nothing to
            // hide, but a keychain that cannot say refuses the bundle rather than let its secrets
            // through unredacted.
            for field in ordertray_connectors::registry::spec(&account.kind).secret_fields {
                match self.credential(&account, field.name).await {
                    Ok(value) => values.add(value.expose()),
                    Err(e) if e.code == ErrorCode::Auth => {}
                    Err(e) => return Err(e),
                }
            }
        }
        // Sorting millions of values is CPU work: off the runtime's threads.
        tokio::task::spawn_blocking(move || values.build())
            .await
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
    }
}

fn pretty(v: &impl Serialize) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
}

/// Log files oldest first (the rolling appender's names sort by date).
fn log_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().contains(".log"))
        })
        .collect();
    files.sort();
    files
}

fn read_tail(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    let start = bytes.len().saturating_sub(MAX_LOG_BYTES);
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}

fn write_zip(out: &Path, entries: &[(String, String)], sensitive: &Redactor) -> std::io::Result<()> {
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // Written beside the target and renamed: a failed write never leaves half a bundle behind.
    let partial = out.with_extension("zip.partial");
    // Owner-only: the bundle carries log lines about the shop's orders.
    let mut zip = zip::ZipWriter::new(ordertray_store::private_fs::create_private_file(&partial)?);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in entries {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(sensitive.redact(text, REDACTED).as_bytes())?;
    }
    zip.finish()?;
    std::fs::rename(&partial, out)
}
