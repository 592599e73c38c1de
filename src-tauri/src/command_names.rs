//! Every command the UI may call. Shared by build.rs (permissions) and the handler list.

pub const ALL: &[&str] = &[
    "app_info",
    "set_language",
    "list_accounts",
    "add_account",
    "update_account",
    "set_account_active",
    "delete_account",
    "test_connection",
    "sync_now",
    "inbox",
    "order_detail",
    "triage",
    "retry_outbox",
    "account_outbox",
    "get_settings",
    "save_settings",
    "recent_logs",
    "save_diagnostics",
    "start_demo",
    "remove_demo",
];
