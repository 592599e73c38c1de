//! OS notifications behind a small trait: the desktop implementation uses notify-rust; tests use
//! the recording one. A notifier never blocks or fails the sync that triggered it.

use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub title: String,
    pub body: String,
    /// The order a click should open.
    pub order_id: Option<i64>,
    /// Play the desktop's "new message" sound with it.
    pub sound: bool,
}

pub trait Notifier: Send + Sync {
    fn notify(&self, n: &Notification) -> Result<(), String>;

    /// Whether a popup reaches the manager. Not where it only goes to a log (a command line run
    /// with no desktop session, as cron runs it): an announcement made once for every process
    /// (a failing sync) is then left to one that can show it.
    fn reaches_manager(&self) -> bool {
        true
    }
}

/// Keeps every notification for assertions.
#[derive(Debug, Default, Clone)]
pub struct RecordingNotifier(Arc<Mutex<Vec<Notification>>>);

impl RecordingNotifier {
    pub fn taken(&self) -> Vec<Notification> {
        std::mem::take(&mut *self.0.lock().expect("notifier poisoned"))
    }
}

impl Notifier for RecordingNotifier {
    fn notify(&self, n: &Notification) -> Result<(), String> {
        self.0.lock().expect("notifier poisoned").push(n.clone());
        Ok(())
    }
}

/// For headless runs: notifications go to the log.
#[derive(Debug, Default)]
pub struct LogNotifier;

impl Notifier for LogNotifier {
    fn notify(&self, n: &Notification) -> Result<(), String> {
        tracing::info!(title = %n.title, body = %n.body, "notification");
        Ok(())
    }
}

pub type OnClick = Arc<dyn Fn(i64) + Send + Sync>;

/// Native OS notifications. On Linux a click on the popup (the default action) calls `on_click`
/// with the order; elsewhere the shell focuses the app on the order instead.
pub struct DesktopNotifier {
    app_name: String,
    on_click: Option<OnClick>,
}

impl DesktopNotifier {
    pub fn new(app_name: impl Into<String>, on_click: Option<OnClick>) -> Self {
        Self {
            app_name: app_name.into(),
            on_click,
        }
    }
}

impl Notifier for DesktopNotifier {
    fn notify(&self, n: &Notification) -> Result<(), String> {
        // Freedesktop servers may read the body as markup (the summary is plain text); macOS and
        // Windows show the body as typed, so escaping there would show the entities.
        #[cfg(all(unix, not(target_os = "macos")))]
        let body = ordertray_core::notify_text::markup_escaped(&n.body);
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        let body = n.body.clone();
        let mut popup = notify_rust::Notification::new();
        popup.appname(&self.app_name).summary(&n.title).body(&body);
        if n.sound {
            // The freedesktop sound-naming name; macOS and Windows map it to their default sound.
            popup.sound_name("message-new-instant");
        }
        #[cfg(all(unix, not(target_os = "macos")))]
        if n.order_id.is_some() && self.on_click.is_some() {
            popup.action("default", "Open");
        }
        let handle = popup.show().map_err(|e| format!("notification not shown: {e}"))?;
        #[cfg(all(unix, not(target_os = "macos")))]
        if let (Some(order), Some(on_click)) = (n.order_id, self.on_click.clone()) {
            // wait_for_action blocks until the popup closes, so it gets a thread of its own.
            std::thread::spawn(move || {
                handle.wait_for_action(|action| {
                    if action == "default" {
                        on_click(order);
                    }
                })
            });
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        let _ = (handle, &self.on_click);
        Ok(())
    }
}

/// Whether the OS can show notifications now. On Linux that needs a notification server on the
/// session bus; without one the UI shows in-app banners instead.
pub fn desktop_notifications_available() -> bool {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        notify_rust::get_server_information().is_ok()
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    {
        true
    }
}
