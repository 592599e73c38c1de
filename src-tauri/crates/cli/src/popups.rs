//! The command line's popups. Whoever stores a new order (or sees a ship-by deadline come)
//! announces it, once: a sync run here beside the app on a desktop pops what it found like the app
//! would. Whether the desktop can show one is asked at the first popup, not at every command's
//! start (cron gives a command no session bus address, but the desktop's bus is found at its
//! standard place, `$XDG_RUNTIME_DIR/bus` or `/run/user/UID/bus`); where it cannot (no
//! notification server: a server, a container) or a popup fails, the announcement goes to the log,
//! and a failing sync is left for a process that can show it.

use std::sync::OnceLock;

use ordertray_engine::notifier::desktop_notifications_available;
use ordertray_engine::{DesktopNotifier, LogNotifier, Notification, Notifier};

#[derive(Default)]
pub struct CommandLinePopups {
    desktop: OnceLock<Option<DesktopNotifier>>,
}

impl CommandLinePopups {
    fn desktop(&self) -> Option<&DesktopNotifier> {
        self.desktop
            .get_or_init(|| {
                desktop_notifications_available().then(|| DesktopNotifier::new("Ordertray", None))
            })
            .as_ref()
    }
}

impl Notifier for CommandLinePopups {
    fn notify(&self, n: &Notification) -> Result<(), String> {
        match self.desktop().map(|d| d.notify(n)) {
            Some(Ok(())) => Ok(()),
            Some(Err(e)) => {
                tracing::warn!(error = %e, "popup not shown; its text follows in the log");
                LogNotifier.notify(n)
            }
            None => LogNotifier.notify(n),
        }
    }

    fn reaches_manager(&self) -> bool {
        self.desktop().is_some()
    }
}
