//! How the webview draws on Linux. WebKitGTK composites the page through OpenGL; on a machine
//! without a GPU (a virtual machine, a remote desktop, a display server without hardware) that
//! OpenGL is Mesa's software renderer, which emulates it on the CPU: every screen's first paint took
//! 100–400 ms there instead of 20–80 ms with compositing off (scripts/bench-app.sh, BENCHMARKS.md).
//! So where no GPU can be used, the app asks WebKit not to composite; with a GPU it leaves WebKit's
//! own choice, and a value the user set (`WEBKIT_DISABLE_COMPOSITING_MODE=0` keeps compositing)
//! always wins.

use std::path::Path;

/// WebKitGTK's switch, read when its web process starts.
const DISABLE_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Turns compositing off when OpenGL can only be software here. Called before anything else in the
/// process runs (setting the environment is only sound while no other thread reads it); says what
/// it decided, for the log.
pub fn choose_compositing() -> Option<&'static str> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let why = why_without_compositing(
        std::env::var_os(DISABLE_COMPOSITING).is_some(),
        has_render_node(Path::new("/dev/dri")),
        std::env::var_os("LIBGL_ALWAYS_SOFTWARE").is_some_and(|v| !v.is_empty() && v != "0"),
    )?;
    std::env::set_var(DISABLE_COMPOSITING, "1");
    Some(why)
}

/// Why compositing is to be turned off, if it is: never over the user's own setting.
fn why_without_compositing(set_by_user: bool, render_node: bool, software_gl: bool) -> Option<&'static str> {
    if set_by_user {
        None
    } else if software_gl {
        Some("LIBGL_ALWAYS_SOFTWARE is set")
    } else if !render_node {
        Some("no GPU render node in /dev/dri")
    } else {
        None
    }
}

/// Whether the kernel offers a GPU to render with (a DRM render node such as `renderD128`).
fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compositing_goes_off_only_without_a_usable_gpu_and_never_over_the_users_setting() {
        assert_eq!(why_without_compositing(false, true, false), None);
        assert_eq!(
            why_without_compositing(false, false, false),
            Some("no GPU render node in /dev/dri")
        );
        assert_eq!(
            why_without_compositing(false, true, true),
            Some("LIBGL_ALWAYS_SOFTWARE is set")
        );
        assert_eq!(why_without_compositing(true, false, true), None);
    }

    #[test]
    fn a_render_node_is_what_tells_a_usable_gpu() {
        let dir = std::env::temp_dir().join(format!("ordertray-dri-{}", std::process::id()));
        assert!(!has_render_node(&dir), "no directory at all");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("card0"), "").unwrap();
        assert!(
            !has_render_node(&dir),
            "a display card alone is not a render node"
        );
        std::fs::write(dir.join("renderD128"), "").unwrap();
        assert!(has_render_node(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
