//! The tray icon: the unread count at a glance, and Open / Sync now / Quit without the window.

use ordertray_core::notify_text::{tray_menu, tray_tooltip, Lang};
use ordertray_engine::Engine;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Wry};

const TRAY_ID: &str = "main";

/// Creates the tray icon and says whether it exists. A desktop without a tray (some Linux
/// sessions) is not an error: the window title and the Inbox badge still show the count.
pub fn create(app: &AppHandle, lang: Lang) -> bool {
    let built = menu(app, lang).and_then(|menu| {
        let mut builder = TrayIconBuilder::with_id(TRAY_ID)
            .tooltip(tray_tooltip(lang, 0))
            .menu(&menu)
            .show_menu_on_left_click(false)
            .on_menu_event(|app, event| match event.id().as_ref() {
                "open" => crate::show_main_window(app),
                "sync" => sync_all(app),
                "quit" => app.exit(0),
                _ => {}
            })
            .on_tray_icon_event(|tray, event| {
                if let TrayIconEvent::Click {
                    button: MouseButton::Left,
                    button_state: MouseButtonState::Up,
                    ..
                } = event
                {
                    crate::show_main_window(tray.app_handle());
                }
            });
        if let Some(icon) = app.default_window_icon() {
            builder = builder.icon(icon.clone());
        }
        builder.build(app)
    });
    match built {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(error = %e, "no tray icon on this desktop");
            false
        }
    }
}

/// Shows the unread count: tooltip everywhere, a label beside the icon where the OS has one.
pub fn show_unread(app: &AppHandle, lang: Lang, unread: i64) {
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let _ = tray.set_tooltip(Some(tray_tooltip(lang, unread)));
        let label = (unread > 0).then(|| unread.to_string());
        let _ = tray.set_title(label);
    }
}

/// The menu in a newly chosen language.
pub fn relabel(app: &AppHandle, lang: Lang) {
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        if let Ok(menu) = menu(app, lang) {
            let _ = tray.set_menu(Some(menu));
        }
    }
}

fn menu(app: &AppHandle, lang: Lang) -> tauri::Result<Menu<Wry>> {
    let [open, sync, quit] = tray_menu(lang);
    Menu::with_items(
        app,
        &[
            &MenuItem::with_id(app, "open", open, true, None::<&str>)?,
            &MenuItem::with_id(app, "sync", sync, true, None::<&str>)?,
            &PredefinedMenuItem::separator(app)?,
            &MenuItem::with_id(app, "quit", quit, true, None::<&str>)?,
        ],
    )
}

fn sync_all(app: &AppHandle) {
    let engine = app.state::<Engine>().inner().clone();
    tauri::async_runtime::spawn(async move {
        let accounts = match engine.list_accounts().await {
            Ok(a) => a,
            Err(e) => return tracing::error!(error = %e, "tray sync: accounts unreadable"),
        };
        for view in accounts.into_iter().filter(|v| v.account.active) {
            // Each account reports its own outcome in its health; one failing does not stop the rest.
            if let Err(e) = engine.sync_account(view.account.id).await {
                tracing::warn!(account = view.account.id, error = %e, "tray sync failed");
            }
        }
    });
}
