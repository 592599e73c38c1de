//! The desktop session's bus for a command started outside the session (cron hands a command
//! neither `DBUS_SESSION_BUS_ADDRESS` nor `XDG_RUNTIME_DIR`): zbus (popups) then still finds it at
//! `/run/user/UID/bus`, libdbus (the keychain's Secret Service) does not, so an account's key
//! could not be read. The address is set for both before any thread starts.

use std::path::{Path, PathBuf};

/// The address to use when the environment names none: the user's bus socket at its standard
/// place, if there is one.
pub fn fallback_address(
    bus_address: Option<&str>,
    runtime_dir: Option<&Path>,
    uid: u32,
    is_socket: impl Fn(&Path) -> bool,
) -> Option<String> {
    if bus_address.is_some_and(|a| !a.is_empty()) {
        return None;
    }
    let dir = runtime_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(format!("/run/user/{uid}")));
    let bus = dir.join("bus");
    is_socket(&bus).then(|| format!("unix:path={}", bus.display()))
}

/// Sets `DBUS_SESSION_BUS_ADDRESS` from [`fallback_address`]; call before any thread starts.
#[cfg(target_os = "linux")]
pub fn find_session_bus() {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let Ok(me) = std::fs::metadata("/proc/self") else {
        return;
    };
    let address = fallback_address(
        std::env::var("DBUS_SESSION_BUS_ADDRESS").ok().as_deref(),
        std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from).as_deref(),
        me.uid(),
        |p| std::fs::metadata(p).is_ok_and(|m| m.file_type().is_socket() && m.uid() == me.uid()),
    );
    if let Some(address) = address {
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", address);
    }
}

#[cfg(not(target_os = "linux"))]
pub fn find_session_bus() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_users_bus_is_named_only_when_the_environment_names_none() {
        let all = |_: &Path| true;
        assert_eq!(
            fallback_address(None, None, 1000, all).as_deref(),
            Some("unix:path=/run/user/1000/bus"),
            "cron: neither variable"
        );
        assert_eq!(
            fallback_address(Some(""), Some(Path::new("/tmp/rt")), 1000, all).as_deref(),
            Some("unix:path=/tmp/rt/bus")
        );
        assert_eq!(
            fallback_address(Some("unix:path=/x"), None, 1000, all),
            None,
            "kept as given"
        );
        assert_eq!(
            fallback_address(None, None, 1000, |_| false),
            None,
            "no session bus: left to the log"
        );
    }
}
