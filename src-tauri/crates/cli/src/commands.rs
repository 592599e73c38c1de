use std::io::BufRead;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use ordertray_connectors::gettzap::GettzapSettings;
use ordertray_connectors::ozon::OzonSettings;
use ordertray_connectors::zzap::ZzapSettings;
use ordertray_core::intake::IntakeSettings;
use ordertray_core::notify_text::Lang;
use ordertray_core::{AccountDraft, AccountSettings, LineState, TriageAction};
use ordertray_engine::paths::resolve_db_path;
use ordertray_engine::{Engine, EngineOptions, KeychainStore, SecretInput};

use crate::args::{
    AccountsCmd, AddAccount, Cli, Command, CustomersCmd, ExportCmd, LineAction, LoginSecrets, OffersCmd,
    OrdersCmd, OutboxCmd, PricelistCmd, ProductsCmd, RulesCmd, ServeArgs, SettingsCmd, StateArg,
};
use crate::popups::CommandLinePopups;
use crate::{export, pricelist, rules, shop_orders, store_platforms, transfers};

pub async fn run(cli: Cli) -> Result<()> {
    let engine = Engine::open(EngineOptions {
        db_path: resolve_db_path(cli.db),
        secrets: Arc::new(KeychainStore),
        notifier: Arc::new(CommandLinePopups::default()),
        lang: Lang::from_locale(&std::env::var("LANG").unwrap_or_default()),
        actor: "cli".into(),
        http: ordertray_engine::HttpSettings {
            timeout: std::time::Duration::from_secs(cli.http_timeout_secs),
        },
        // No window to show a banner instead: popups (or their log lines, see `popups`) are the
        // only way.
        notifications_ok: true,
        probe_secrets: false,
        keychain_wait: ordertray_engine::KEYCHAIN_WAIT,
    })
    .await?;
    let result = dispatch(&engine, cli.command).await;
    // Pollers stopped, and gone, first (`serve`): a run ending during the wait below would hold
    // a burst nobody shows any more.
    engine.shutdown().await;
    engine.show_held_alerts_now().await;
    engine.store().close().await;
    result
}

/// One secret typed or piped on standard input.
pub(crate) fn stdin_line(what: &str) -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .with_context(|| format!("reading the {what} from standard input"))?;
    if line.trim().is_empty() {
        bail!("no {what} on standard input");
    }
    Ok(line.trim().to_string())
}

/// The password and the API key asked for on standard input, in that order; those named by an
/// environment variable instead are read when needed and never stored.
fn login_secrets_from_stdin(s: &LoginSecrets) -> Result<SecretInput> {
    let mut secrets = SecretInput::new();
    for (wanted, field, what) in [
        (s.password_stdin, "password", "password"),
        (s.api_key_stdin, "api_key", "API key"),
    ] {
        if wanted {
            secrets.insert(field.into(), stdin_line(what)?);
        }
    }
    Ok(secrets)
}

async fn dispatch(engine: &Engine, command: Command) -> Result<()> {
    match command {
        Command::Accounts(AccountsCmd::Add(AddAccount::Ozon(a))) => {
            let mut settings = OzonSettings::new(a.client_id);
            settings.cancel_reason_id = a.cancel_reason;
            settings.ship_on_accept = !a.no_ship_on_accept;
            settings.api_key_env = a.api_key_env;
            let mut secrets = SecretInput::new();
            if a.api_key_stdin {
                secrets.insert("api_key".into(), stdin_line("Api-Key")?);
            }
            let draft = AccountDraft {
                name: a.name,
                region: a.region,
                active: true,
                interval_secs: a.interval,
                base_url: a.base_url,
                settings: AccountSettings::from(settings),
            };
            let account = engine.add_account(draft, secrets).await?;
            println!("added account {} «{}»", account.id, account.name);
        }
        Command::Accounts(AccountsCmd::Add(AddAccount::Zzap(a))) => {
            let settings = ZzapSettings {
                import_codes: a.import_codes,
                buyer_cancel_codes: a.buyer_cancel_codes,
                min_request_interval_ms: a.request_interval_ms,
                password_env: a.secrets.password_env.clone(),
                api_key_env: a.secrets.api_key_env.clone(),
                ..ZzapSettings::new(a.login)
            };
            let secrets = login_secrets_from_stdin(&a.secrets)?;
            let draft = AccountDraft {
                name: a.name,
                region: a.region,
                active: true,
                interval_secs: a.interval,
                base_url: a.base_url,
                settings: AccountSettings::from(settings),
            };
            let account = engine.add_account(draft, secrets).await?;
            println!("added account {} «{}»", account.id, account.name);
        }
        Command::Accounts(AccountsCmd::Add(AddAccount::Gettzap(a))) => {
            let mut settings = GettzapSettings {
                password_env: a.secrets.password_env.clone(),
                api_key_env: a.secrets.api_key_env.clone(),
                intake_token_env: a.intake_token_env,
                ..GettzapSettings::new(a.login)
            };
            if !a.statuses.is_empty() {
                settings.statuses = a.statuses;
            }
            if !a.cancel_statuses.is_empty() {
                settings.cancel_statuses = a.cancel_statuses;
            }
            let secrets = login_secrets_from_stdin(&a.secrets)?;
            let draft = AccountDraft {
                name: a.name,
                region: a.region,
                active: true,
                interval_secs: a.interval,
                base_url: a.base_url,
                settings: AccountSettings::from(settings),
            };
            let account = engine.add_account(draft, secrets).await?;
            println!("added account {} «{}»", account.id, account.name);
            println!(
                "orders arrive at the intake: run `ordertray-cli serve` and paste the address from \
                 `ordertray-cli accounts intake-url {}` into Gettzap (format unverified)",
                account.id
            );
        }
        Command::Accounts(AccountsCmd::IntakeUrl {
            account,
            new_token,
            webhook_secret,
        }) => {
            let account = engine.find_account(&account).await?;
            if new_token {
                engine.rotate_intake_token(account.id).await?;
            }
            println!("{}", engine.intake_url(account.id).await?);
            if webhook_secret {
                println!("{}", engine.webhook_secret(account.id).await?);
            }
        }
        Command::Accounts(AccountsCmd::Add(AddAccount::Woocommerce(a))) => {
            store_platforms::add_woocommerce(engine, a).await?
        }
        Command::Accounts(AccountsCmd::Add(AddAccount::Cartum(a))) => {
            store_platforms::add_cartum(engine, a).await?
        }
        Command::Accounts(AccountsCmd::Add(AddAccount::Shopify(a))) => {
            store_platforms::add_shopify(engine, a).await?
        }
        Command::Accounts(AccountsCmd::Add(AddAccount::Amazon(a))) => {
            store_platforms::add_amazon(engine, a).await?
        }
        Command::Accounts(AccountsCmd::Log { account, limit, json }) => {
            store_platforms::log(engine, &account, limit, json).await?
        }
        Command::Accounts(AccountsCmd::IntakeLog { account, limit, json }) => {
            let account = match account {
                Some(a) => Some(engine.find_account(&a).await?.id),
                None => None,
            };
            let rows = engine.store().intake_requests(account, limit).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in rows {
                    println!(
                        "{}\t{}\t{}\t{}\t{} bytes\t{}",
                        r.received_at.format("%Y-%m-%d %H:%M:%S"),
                        r.remote,
                        r.http_status,
                        r.outcome,
                        r.body_bytes,
                        r.message
                    );
                }
            }
        }
        Command::Serve(args) => serve(engine, args).await?,
        Command::Transfer(cmd) => transfers::run(engine, cmd).await?,
        Command::Products(ProductsCmd::List { search, limit, json }) => {
            crate::catalog::list_products(engine, search, limit, json).await?
        }
        Command::Settings(SettingsCmd::ShopCurrency { code }) => {
            let mut settings = engine.settings().await?;
            if let Some(code) = code {
                settings.shop_currency = code;
                settings = engine.save_settings(settings).await?;
            }
            println!("{}", settings.shop_currency);
        }
        Command::Customers(CustomersCmd::List { limit, json }) => {
            crate::catalog::list_customers(engine, limit, json).await?
        }
        Command::Accounts(AccountsCmd::Statuses { account, json }) => {
            let account = engine.find_account(&account).await?;
            let list = engine.refresh_marketplace_statuses(account.id).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!(
                    "{} has no status list of its own",
                    ordertray_engine::registry::spec(&account.kind).name
                );
            } else {
                for s in list {
                    println!("{}\t{}", s.code, s.name);
                }
            }
        }
        Command::Accounts(AccountsCmd::Notices {
            account,
            accepted_status,
            accepted_notice,
            refusal_status,
            refusal_text,
        }) => {
            let account = engine.find_account(&account).await?;
            let mut templates = engine.push_settings(account.id).await?.templates;
            for (value, slot) in [
                (accepted_status, &mut templates.accepted_status),
                (accepted_notice, &mut templates.accepted_notice),
                (refusal_status, &mut templates.refusal_status),
                (refusal_text, &mut templates.refusal_text),
            ] {
                if let Some(v) = value {
                    *slot = v;
                }
            }
            let saved = engine.save_push_settings(account.id, &templates).await?;
            println!("saved the notices of «{}»", account.name);
            for p in saved.problems {
                println!("warning: {}", serde_json::to_string(&p)?);
            }
        }
        Command::Accounts(AccountsCmd::List { json }) => {
            let accounts = engine.list_accounts().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&accounts)?);
            } else {
                for v in accounts {
                    let a = &v.account;
                    let health = match (&v.health.last_outcome, &v.health.last_error) {
                        (None, _) => "never synced".to_string(),
                        (Some(_), Some(e)) => format!("error: {e}"),
                        (Some(_), None) => "ok".to_string(),
                    };
                    let state = if a.active { "active" } else { "disabled" };
                    println!(
                        "{}\t{}\t{}\t{state}\tevery {}s\t{health}",
                        a.id,
                        ordertray_engine::registry::spec(&a.kind).name,
                        a.name,
                        a.interval_secs
                    );
                }
            }
        }
        Command::Sync {
            once,
            account,
            lease_secs,
        } => {
            if let Some(secs) = lease_secs {
                engine.set_outbox_lease(std::time::Duration::from_secs(secs));
            }
            // The schedule runs every active account's poller (and the outbox, alerts, read-back):
            // one account alone on a schedule is not offered rather than silently ignored.
            if account.is_some() && !once {
                bail!("--account goes with --once: on a schedule every active account is synced (make an account inactive to leave it out)");
            }
            let ids = match &account {
                Some(a) => vec![engine.find_account(a).await?.id],
                None => engine
                    .list_accounts()
                    .await?
                    .into_iter()
                    .filter(|v| v.account.active)
                    .map(|v| v.account.id)
                    .collect(),
            };
            if ids.is_empty() {
                bail!("no active account to sync (add one with `accounts add`)");
            }
            if once {
                let mut failed = 0;
                for id in ids {
                    match engine.sync_account(id).await {
                        Ok(r) => println!(
                            "account {id}: {} page(s), {} order(s) seen, {} new, {} changed, {} new line(s), {} set aside",
                            r.pages, r.orders_seen, r.orders_new, r.orders_changed, r.lines_new, r.quarantined
                        ),
                        Err(e) => {
                            eprintln!("account {id}: sync failed: {e}");
                            failed += 1;
                        }
                    }
                }
                // The app merges the search index's new segments once its writers pause; this
                // process ends here, so it leaves the index merged rather than to the next start
                // (and its time counts in what a sync costs).
                engine.store().merge_search_indexes().await?;
                if failed > 0 {
                    bail!("{failed} account(s) failed to sync");
                }
            } else {
                engine.start_background().await?;
                eprintln!("syncing on schedule; press Ctrl-C to stop");
                tokio::signal::ctrl_c().await?;
            }
        }
        Command::Export(ExportCmd::Csv(args)) => export::export_csv(engine, args).await?,
        Command::Orders(OrdersCmd::Search { text, limit, json }) => {
            export::search(engine, text, limit, json).await?
        }
        Command::Orders(OrdersCmd::Create { file, json }) => shop_orders::create(engine, &file, json).await?,
        Command::Orders(OrdersCmd::PreorderLink { number_or_id }) => {
            shop_orders::preorder_link(engine, &number_or_id).await?
        }
        Command::Orders(OrdersCmd::Show { number_or_id, json }) => {
            shop_orders::show(engine, &number_or_id, json).await?
        }
        Command::Orders(OrdersCmd::List { json, state, account }) => {
            let account = match account {
                Some(a) => Some(engine.find_account(&a).await?.id),
                None => None,
            };
            let orders = engine.orders(account, state.map(line_state)).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&orders)?);
            } else {
                for o in orders {
                    println!(
                        "{}\t{}\t{}\t{}",
                        o.number,
                        o.account,
                        o.status,
                        o.created_at.format("%Y-%m-%d %H:%M")
                    );
                    for l in o.lines {
                        println!(
                            "  line {}\t{}\t{}\t{} × {} {}\t{}",
                            l.id,
                            l.sku,
                            l.name,
                            l.quantity,
                            l.price,
                            l.currency,
                            l.state.as_str()
                        );
                    }
                }
            }
        }
        Command::Lines { action, ids } => {
            let action = match action {
                LineAction::Accept => TriageAction::Accept,
                LineAction::Reject => TriageAction::Reject,
                LineAction::Delete => TriageAction::Delete,
                LineAction::Restore => TriageAction::Restore,
            };
            let report = engine.triage(&ids, action).await?;
            println!(
                "{} line(s) {}; {} marketplace call(s) queued",
                report.changed.len(),
                action.target().as_str(),
                report.outbox_rows.len()
            );
        }
        Command::Outbox(OutboxCmd::Drain { once, lease_secs }) => {
            if let Some(secs) = lease_secs {
                engine.set_outbox_lease(std::time::Duration::from_secs(secs));
            }
            loop {
                let r = engine.drain_outbox_once().await?;
                println!(
                    "delivered {}, retry scheduled {}, failed {}",
                    r.delivered, r.retry_scheduled, r.failed
                );
                let pending = engine
                    .outbox_list(None)
                    .await?
                    .iter()
                    .any(|o| o.state == ordertray_core::OutboxState::Pending);
                if once || !pending {
                    break;
                }
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                    _ = tokio::signal::ctrl_c() => break,
                }
            }
        }
        Command::Outbox(OutboxCmd::List { json }) => {
            let rows = engine.outbox_list(None).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in rows {
                    println!(
                        "{}\t{}\t{}\tattempts {}\t{}{}",
                        r.id,
                        r.state.as_str(),
                        r.kind,
                        r.attempts,
                        r.description,
                        r.last_error
                            .map(|e| format!("\tlast error: {e}"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        Command::Outbox(OutboxCmd::Retry { id }) => {
            engine.retry_outbox(id).await?;
            println!("outbox row {id} queued again");
        }
        Command::Pricelist(PricelistCmd::Import {
            path,
            name,
            delimiter,
            encoding,
            columns,
            no_header,
            json,
        }) => {
            pricelist::import(
                engine,
                pricelist::ImportArgs {
                    path: &path,
                    name: &name,
                    delimiter,
                    encoding,
                    columns,
                    no_header,
                    json,
                },
            )
            .await?
        }
        Command::Pricelist(PricelistCmd::List { json }) => pricelist::list(engine, json).await?,
        Command::Offers(OffersCmd::Search { text, limit, json }) => {
            pricelist::search(engine, &text, limit, json).await?
        }
        Command::Rules(RulesCmd::Show { account }) => rules::show(engine, &account).await?,
        Command::Rules(RulesCmd::Set {
            account,
            file,
            enable,
            disable,
        }) => {
            let enabled = (enable || disable).then_some(enable);
            rules::set(engine, &account, &file, enabled).await?
        }
        Command::Rules(RulesCmd::DryRun { account, json }) => rules::dry_run(engine, account, json).await?,
    }
    Ok(())
}

/// Sync, outbox and the order intake until Ctrl-C (or SIGTERM).
async fn serve(engine: &Engine, args: ServeArgs) -> Result<()> {
    // Checked as the app's form is, except that port 0 (any free port) is allowed here.
    let mut settings = IntakeSettings {
        enabled: true,
        bind: args.bind,
        port: 1,
        public_url: args.public_url,
        preorder_link_days: args.preorder_link_days,
    }
    .validated()?;
    settings.port = args.port;
    if args.intake_only {
        // No sync or outbox here, but the intake's requests are pruned like the rest: once now
        // (nothing else competes for the database yet), then every few hours.
        engine.prune_old_rows(chrono::Utc::now()).await?;
        engine.start_retention();
    }
    let addr = engine.start_intake(&settings).await?;
    settings.port = addr.port();
    // Where `accounts intake-url` finds it; the app's own setting (serve at its start) is not ours.
    engine.remember_served_intake(&settings).await?;
    if !args.intake_only {
        engine.start_background().await?;
    }
    println!("intake listening on http://{addr}");
    for v in engine.list_accounts().await? {
        if ordertray_engine::registry::spec(&v.account.kind).receives_pushes() {
            let shown = engine.intake_address(v.account.id).await?;
            let name = ordertray_engine::registry::spec(&v.account.kind).name;
            let (account, id) = (&v.account.name, v.account.id);
            if shown.signed {
                println!("{name} «{account}»: webhooks to {} (signed)", shown.masked_url);
            } else {
                println!(
                    "{name} «{account}»: {} (full address: ordertray-cli accounts intake-url {id}; format unverified)",
                    shown.masked_url
                );
            }
        }
    }
    eprintln!("serving; press Ctrl-C to stop");
    shutdown_signal().await;
    engine.stop_intake().await;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn line_state(s: StateArg) -> LineState {
    match s {
        StateArg::New => LineState::New,
        StateArg::Accepted => LineState::Accepted,
        StateArg::Rejected => LineState::Rejected,
        StateArg::Deleted => LineState::Deleted,
    }
}
