//! The real `ordertray-cli` binary on a database of its own, with the environment variables a test
//! names its secrets in.

// Each test file compiles this module on its own and uses only some of it.
#![allow(dead_code)]

use std::process::{Command, Output};

use serde_json::Value;

pub struct Cli {
    pub db: std::path::PathBuf,
    env: Vec<(&'static str, &'static str)>,
    _dir: tempfile::TempDir,
}

impl Cli {
    pub fn new(env: &[(&'static str, &'static str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self {
            db: dir.path().join("cli.db"),
            env: env.to_vec(),
            _dir: dir,
        }
    }

    /// A folder of the test's own, removed with it.
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ordertray-cli"));
        c.arg("--db")
            .arg(&self.db)
            .args(args)
            .envs(self.env.iter().copied())
            // The CLI pops what it finds when a notification server answers: not on the desktop
            // of whoever runs the tests (its popups are observed in the end-to-end tests).
            .env("DBUS_SESSION_BUS_ADDRESS", "disabled:");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("ordertray-cli runs")
    }

    /// The standard output of a run that must succeed.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).expect("valid JSON")
    }
}
