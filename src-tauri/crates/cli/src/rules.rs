//! `rules` commands.

use std::path::Path;

use anyhow::{Context, Result};
use ordertray_core::rules::{Rule, RuleDecision, RuleSet};
use ordertray_engine::Engine;

pub async fn dry_run(engine: &Engine, account: Option<String>, json: bool) -> Result<()> {
    let account = match account {
        Some(a) => Some(engine.find_account(&a).await?.id),
        None => None,
    };
    let outcomes = engine.dry_run_rules(account).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&outcomes)?);
        return Ok(());
    }
    for o in outcomes {
        let what = match &o.decision {
            RuleDecision::Accept { rule_name, .. } => {
                let offer = o
                    .offer
                    .as_ref()
                    .map(|f| format!("{} {} at {} («{}»)", f.brand, f.article, f.price, f.list))
                    .unwrap_or_default();
                format!("accept with {offer} — rule «{rule_name}»")
            }
            RuleDecision::Reject { rule_name, .. } => format!("reject — rule «{rule_name}»"),
            RuleDecision::Leave {
                rule_name: Some(r), ..
            } => format!("leave for the manager — rule «{r}»"),
            RuleDecision::Leave { rule_name: None, .. } => "leave for the manager — no rule matched".into(),
        };
        println!("{}\tline {}\t{}\t{what}", o.order_number, o.line_id, o.line_name);
    }
    Ok(())
}

pub async fn show(engine: &Engine, account: &str) -> Result<()> {
    let id = engine.find_account(account).await?.id;
    println!("{}", serde_json::to_string_pretty(&engine.rule_set(id).await?)?);
    Ok(())
}

pub async fn set(engine: &Engine, account: &str, file: &Path, enabled: Option<bool>) -> Result<()> {
    let id = engine.find_account(account).await?.id;
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let current = engine.rule_set(id).await?;
    let set = match serde_json::from_str::<Vec<Rule>>(&text) {
        Ok(rules) => RuleSet {
            account_id: id,
            enabled: current.enabled,
            rules,
        },
        Err(_) => RuleSet {
            account_id: id,
            ..serde_json::from_str::<RuleSet>(&text)
                .with_context(|| format!("{} is not a list of rules", file.display()))?
        },
    };
    let saved = engine
        .save_rule_set(&RuleSet {
            enabled: enabled.unwrap_or(set.enabled),
            ..set
        })
        .await?;
    println!(
        "{} rule(s) saved for account {id}; automatic processing {}",
        saved.rules.len(),
        if saved.enabled { "on" } else { "off" }
    );
    Ok(())
}
