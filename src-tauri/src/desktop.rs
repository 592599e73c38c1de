//! Desktop behaviour that follows the app settings: autostart at login, closing to the tray.

use std::sync::atomic::{AtomicBool, Ordering};

use ordertray_core::notify_text::tray_hint;
use ordertray_core::AppSettings;
use ordertray_engine::{Engine, Notification};
use tauri::{AppHandle, Manager, Window, WindowEvent};
use tauri_plugin_autostart::ManagerExt;

/// The argument the login item starts the app with.
pub const MINIMIZED_FLAG: &str = "--minimized";

/// What the window-close handler needs synchronously (it cannot wait for the database).
#[derive(Default)]
pub struct CloseBehaviour {
    to_tray: AtomicBool,
    tray_ok: AtomicBool,
}

impl CloseBehaviour {
    pub fn set(&self, settings: &AppSettings, tray_ok: bool) {
        self.to_tray.store(settings.close_to_tray, Ordering::Relaxed);
        self.tray_ok.store(tray_ok, Ordering::Relaxed);
    }

    pub fn set_to_tray(&self, settings: &AppSettings) {
        self.to_tray.store(settings.close_to_tray, Ordering::Relaxed);
    }

    fn keeps_running(&self) -> bool {
        // Without a tray icon a hidden window could not be brought back: then closing quits.
        self.to_tray.load(Ordering::Relaxed) && self.tray_ok.load(Ordering::Relaxed)
    }
}

/// Makes the login item match the setting. Failures are logged: the app works without it.
pub fn apply_autostart(app: &AppHandle, settings: &AppSettings) {
    let launcher = app.autolaunch();
    let result = match (settings.autostart, launcher.is_enabled().unwrap_or(false)) {
        (true, false) => launcher.enable(),
        (false, true) => launcher.disable(),
        _ => Ok(()),
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "autostart could not be changed");
    }
}

pub fn on_window_event(window: &Window, event: &WindowEvent) {
    let WindowEvent::CloseRequested { api, .. } = event else {
        return;
    };
    let app = window.app_handle();
    if !app.state::<CloseBehaviour>().keeps_running() {
        return;
    }
    api.prevent_close();
    let _ = window.hide();
    let engine = app.state::<Engine>().inner().clone();
    tauri::async_runtime::spawn(async move {
        let Ok(settings) = engine.settings().await else {
            return;
        };
        if settings.tray_hint_shown {
            return;
        }
        engine.popup(Notification {
            title: "Ordertray".into(),
            body: tray_hint(engine.lang()).into(),
            order_id: None,
            sound: false,
        });
        let _ = engine
            .update_settings(|s| AppSettings {
                tray_hint_shown: true,
                ..s
            })
            .await;
    });
}
