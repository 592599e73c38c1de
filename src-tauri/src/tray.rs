//! The tray icon: the unread count at a glance, and Open / Sync now / Quit without the window.

use ordertray_core::notify_text::{tray_menu, tray_tooltip, Lang};
use ordertray_engine::Engine;
use std::collections::VecDeque;
use std::sync::Mutex;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};

use tauri::{AppHandle, Manager, Wry};

const TRAY_ID: &str = "main";
/// How many recent new orders the tray menu lists.
const RECENT_MAX: usize = 5;

/// The last new orders (order id, menu label), newest first, for the tray menu.
#[derive(Default)]
pub struct RecentOrders(Mutex<VecDeque<(i64, String)>>);

impl RecentOrders {
    fn push(&self, order_id: i64, label: String) {
        let mut list = self.0.lock().expect("recent orders poisoned");
        list.retain(|(id, _)| *id != order_id);
        list.push_front((order_id, label));
        list.truncate(RECENT_MAX);
    }

    fn items(&self) -> Vec<(i64, String)> {
        self.0
            .lock()
            .expect("recent orders poisoned")
            .iter()
            .cloned()
            .collect()
    }
}

/// Creates the tray icon and says whether it exists. A desktop without a tray (some Linux
/// sessions) is not an error: the window title and the Inbox badge still show the count.
pub fn create(app: &AppHandle, lang: Lang, paused: bool) -> bool {
    let built = menu(app, lang, paused).and_then(|menu| {
        let mut builder = TrayIconBuilder::with_id(TRAY_ID)
            .tooltip(tray_tooltip(lang, 0))
            .menu(&menu)
            .show_menu_on_left_click(false)
            .on_menu_event(|app, event| match event.id().as_ref() {
                "open" => crate::show_main_window(app),
                "sync" => sync_all(app),
                "pause_hour" => pause(app, Some(chrono::Duration::hours(1))),
                "pause" => pause(app, None),
                "resume" => resume(app),
                "quit" => app.exit(0),
                other => {
                    if let Some(id) = other.strip_prefix("order:").and_then(|id| id.parse().ok()) {
                        crate::open_order(app, id);
                    }
                }
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

/// The menu in a newly chosen language, or after a pause began or ended.
pub fn relabel(app: &AppHandle, lang: Lang, paused: bool) {
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        if let Ok(menu) = menu(app, lang, paused) {
            let _ = tray.set_menu(Some(menu));
        }
    }
}

fn menu(app: &AppHandle, lang: Lang, paused: bool) -> tauri::Result<Menu<Wry>> {
    let text = tray_menu(lang);
    let item = |id: &str, label: &str| MenuItem::with_id(app, id, label, true, None::<&str>);
    let open = item("open", text.open)?;
    let sync = item("sync", text.sync)?;
    let pause_hour = item("pause_hour", text.pause_hour)?;
    let pause = item("pause", text.pause_until_resumed)?;
    let resume = item("resume", text.resume)?;
    let quit = item("quit", text.quit)?;
    let menu = Menu::with_items(app, &[&open, &sync, &PredefinedMenuItem::separator(app)?])?;
    let recent = app.state::<RecentOrders>().items();
    for (id, label) in &recent {
        menu.append(&item(&format!("order:{id}"), label)?)?;
    }
    if !recent.is_empty() {
        menu.append(&PredefinedMenuItem::separator(app)?)?;
    }
    if paused {
        menu.append(&resume)?;
    } else {
        menu.append(&pause_hour)?;
        menu.append(&pause)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&quit)?;
    Ok(menu)
}

/// A new order arrived: list it first in the menu (a click opens it).
pub fn remember_order(app: &AppHandle, engine: &Engine, order_id: i64, number: &str, account: &str) {
    app.state::<RecentOrders>()
        .push(order_id, format!("{number} — {account}"));
    let app = app.clone();
    let engine = engine.clone();
    tauri::async_runtime::spawn(async move {
        relabel(&app, engine.lang(), engine.sync_pause().await.is_some());
    });
}

fn pause(app: &AppHandle, duration: Option<chrono::Duration>) {
    let engine = app.state::<Engine>().inner().clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = engine.pause_sync(duration).await {
            tracing::error!(error = %e, "tray: could not pause sync");
        }
    });
}

fn resume(app: &AppHandle) {
    let engine = app.state::<Engine>().inner().clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = engine.resume_sync().await {
            tracing::error!(error = %e, "tray: could not resume sync");
        }
    });
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
