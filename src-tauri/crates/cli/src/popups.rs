//! The command line's popups. Whoever stores a new order (or sees a ship-by deadline come)
//! announces it, once: a sync run here beside the app on a desktop pops what it found like the app
//! would. Whether the desktop can show one is asked at the first popup, not at every command's
//! start, and for a few seconds at most (cron starts a command outside the session: see
//! `session_bus`); where it cannot (no notification server: a server, a container) or a popup
//! fails, the announcement goes to the log, and a failing sync is left for a process that can show
//! it.

use std::sync::OnceLock;
use std::time::Duration;

use ordertray_engine::notifier::desktop_notifications_available;
use ordertray_engine::{DesktopNotifier, LogNotifier, Notification, Notifier};

#[derive(Default)]
pub struct CommandLinePopups {
    desktop: OnceLock<Option<DesktopNotifier>>,
}

/// How long the first popup waits to learn whether a notification server answers: a bus that
/// never does must not hold a sync (the check runs inside it, for a failing sync's announcement).
const DESKTOP_CHECK_WAIT: Duration = Duration::from_secs(3);

impl CommandLinePopups {
    fn desktop(&self) -> Option<&DesktopNotifier> {
        self.desktop
            .get_or_init(|| {
                let (answer, answered) = std::sync::mpsc::channel();
                std::thread::spawn(move || {
                    let _ = answer.send(desktop_notifications_available());
                });
                let available = answered.recv_timeout(DESKTOP_CHECK_WAIT).unwrap_or_else(|_| {
                    tracing::warn!("the notification server did not answer; announcements go to the log");
                    false
                });
                available.then(|| DesktopNotifier::new("Ordertray", None))
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
