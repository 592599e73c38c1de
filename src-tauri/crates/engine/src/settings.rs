//! App-wide preferences, kept in the database so that they follow the data file.

use ordertray_core::{AppError, AppSettings, ErrorCode};

use crate::{Engine, Result};

const KEY: &str = "app";

impl Engine {
    pub async fn settings(&self) -> Result<AppSettings> {
        match self.0.store.setting(KEY).await? {
            // A damaged document must not keep the app from starting: defaults, and say so.
            Some(json) => Ok(serde_json::from_str(&json).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "app settings unreadable; using defaults");
                AppSettings::default()
            })),
            None => Ok(AppSettings::default()),
        }
    }

    /// Saves what the manager chose on the Settings screen; returns what was stored.
    pub async fn save_settings(&self, chosen: AppSettings) -> Result<AppSettings> {
        let previous = self.settings().await?;
        let next = chosen.chosen_by_manager(&previous);
        self.store_settings(&next).await?;
        Ok(next)
    }

    /// Settings changed by the app itself (first account, notices shown).
    pub async fn update_settings(
        &self,
        change: impl FnOnce(AppSettings) -> AppSettings,
    ) -> Result<AppSettings> {
        let next = change(self.settings().await?);
        self.store_settings(&next).await?;
        Ok(next)
    }

    async fn store_settings(&self, s: &AppSettings) -> Result<()> {
        let json = serde_json::to_string(s).map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        Ok(self.0.store.set_setting(KEY, &json).await?)
    }
}
