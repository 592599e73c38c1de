import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { RuleSet } from "../bindings/RuleSet";
import rulesApply from "../test/fixtures/rules_apply.json";
import rulesEdit from "../test/fixtures/rules_edit.json";
import { recordedFor, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

/*
 * The engine's scenarios (ui_fixtures.rs, rules_world): accounts Shop A (1) and Shop B (2).
 * Shop A's inbox: "Brake pad" and "Disc" of one posting, "Arm" of another, all at 1530 to Москва;
 * Brake pad has a BOSCH offer in Supplier A (list 1) at 1200, the others none. Shop B has one rule
 * ("B only"); Shop A none (rules_edit), or three, switched off (rules_apply).
 * What rules decide is the engine's, tested in Rust (triage_rules.rs); here the screen shows it.
 */

async function openRules(accountId = 1) {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-accounts"));
  await user.click(await screen.findByTestId(`rules-${accountId}`));
  await screen.findByTestId("rules-enabled");
  return user;
}

const cards = () => screen.getAllByTestId("rule");
const card = (i: number) => cards()[i] as HTMLElement;
const ruleNames = () => screen.getAllByTestId<HTMLInputElement>("rule-name").map((i) => i.value);

describe("rules", () => {
  it("builds ordered rules with conditions and actions, and saves them in order", async () => {
    const b = serveRecorded(rulesEdit);
    const user = await openRules();
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Rules — Shop A");
    expect(b.callsTo("rule_set").map((c) => c.args)).toEqual([{ accountId: 1 }]);
    expect(screen.getByText("No rules yet.")).toBeInTheDocument();

    await user.click(screen.getByTestId("rules-enabled"));
    await user.click(screen.getByTestId("rules-add"));
    const name = within(card(0)).getByTestId("rule-name");
    await user.clear(name);
    await user.type(name, "Cheap Bosch");
    await user.selectOptions(within(card(0)).getByTestId("rule-add-condition"), "offer_in_lists");
    await user.click(within(card(0)).getByTestId("condition-list-1"));
    await user.selectOptions(within(card(0)).getByTestId("rule-add-condition"), "min_margin");
    const margin = within(card(0)).getByTestId("condition-margin");
    await user.clear(margin);
    await user.type(margin, "15,5");
    await user.selectOptions(within(card(0)).getByTestId("rule-add-condition"), "brand_in");
    await user.type(within(card(0)).getByTestId("condition-brands"), "Bosch, Mann");
    expect(within(card(0)).getByTestId("condition-brands")).toHaveValue("Bosch, Mann");
    await user.selectOptions(within(card(0)).getByTestId("rule-add-condition"), "stock_covers_quantity");
    await user.selectOptions(within(card(0)).getByTestId("rule-action"), "accept_delivery");

    await user.click(screen.getByTestId("rules-add"));
    expect(ruleNames()).toEqual(["Cheap Bosch", "Rule 2"]);
    await user.selectOptions(within(card(1)).getByTestId("rule-action"), "reject");
    // The account's reasons come from the marketplace once a rule rejects.
    await waitFor(() => expect(within(card(1)).getByRole("option", { name: /400/ })).toBeInTheDocument());
    await user.selectOptions(within(card(1)).getByTestId("rule-reject-reason"), "400");
    await user.type(within(card(1)).getByTestId("rule-reject-message"), "Нет в наличии");
    await user.click(within(card(1)).getByTestId("rule-up"));
    expect(ruleNames()).toEqual(["Rule 2", "Cheap Bosch"]);
    // The stock condition was a mistake.
    await user.click(within(card(1)).getAllByTestId("condition-remove")[3] as HTMLElement);

    expect(screen.getByTestId("rules-unsaved")).toBeInTheDocument();
    expect(screen.getByTestId("rules-dry-run")).toBeDisabled();
    await user.click(screen.getByTestId("rules-save"));
    await waitFor(() => expect(screen.queryByTestId("rules-unsaved")).toBeNull());
    expect(b.callsTo("save_rule_set").map((c) => c.args)).toEqual([
      {
        set: {
          account_id: 1,
          enabled: true,
          rules: [
            { id: 0, name: "Rule 2", enabled: true, conditions: [], action: { type: "reject", reason_id: 400, message: "Нет в наличии" } },
            {
              id: 0,
              name: "Cheap Bosch",
              enabled: true,
              conditions: [
                { type: "offer_in_lists", list_ids: [1] },
                { type: "min_margin", percent: "15.5" },
                { type: "brand_in", brands: ["Bosch", "Mann"] },
              ],
              action: { type: "accept", by: "delivery" },
            },
          ],
        },
      },
    ]);
    // Saved rules have the ids the engine gave them.
    const saved = rulesEdit.answers.find((a) => a.cmd === "save_rule_set")?.ok as RuleSet;
    const ids = saved.rules.map((r) => r.id);
    expect(ids.every((id) => id > 0)).toBe(true);
    expect(cards().map((c) => Number(c.getAttribute("data-rule-id")))).toEqual(ids);
    expect(screen.getByTestId("rules-dry-run")).toBeEnabled();
  });

  it("a dry run shows what the saved rules would do; applying decides the inbox and reports it", async () => {
    const b = serveRecorded(rulesApply);
    const user = await openRules();
    expect(ruleNames()).toEqual(["Cheap Bosch", "Off for now", "Reject the rest"]);
    expect(within(card(1)).getByTestId("rule-enabled")).not.toBeChecked();

    await user.click(screen.getByTestId("rules-dry-run"));
    const table = await screen.findByTestId("rules-dry-run-table");
    const outcomes = within(table).getAllByTestId("rule-outcome");
    expect(outcomes.map((o) => o.getAttribute("data-decision"))).toEqual(["accept", "reject", "reject"]);
    expect(outcomes[0]).toHaveTextContent("Brake pad");
    expect(outcomes[0]).toHaveTextContent("Cheap Bosch");
    expect(outcomes[0]).toHaveTextContent("BOSCH ART-1 · Supplier A · 1,200.00");
    expect(outcomes[1]).toHaveTextContent("Reject the rest");
    expect(b.callsTo("dry_run_rules").map((c) => c.args)).toEqual([{ accountId: 1 }]);
    // A dry run changes nothing: the engine's inbox still holds the three lines.
    expect(b.callsTo("apply_rules")).toHaveLength(0);

    await user.click(screen.getByTestId("rules-apply"));
    expect(b.callsTo("apply_rules")).toHaveLength(0);
    await user.click(screen.getByTestId("rules-apply-confirm"));
    expect(await screen.findByTestId("rules-apply-result")).toHaveTextContent("Rules applied: 1 accepted, 2 rejected");
    expect(b.callsTo("apply_rules").map((c) => c.args)).toEqual([{ accountId: 1 }]);

    // The decided lines left the inbox and appear under Processed.
    await user.click(screen.getByTestId("nav-inbox"));
    expect(await screen.findByTestId("inbox-empty")).toBeInTheDocument();
    await user.click(screen.getByTestId("view-processed"));
    await waitFor(() => expect(screen.getAllByTestId("rule-decision")).toHaveLength(3));
  });

  it("refuses to save a rule without a name or with a margin that is not a number", async () => {
    const b = serveRecorded(rulesEdit);
    const user = await openRules();
    await user.click(screen.getByTestId("rules-add"));
    await user.clear(within(card(0)).getByTestId("rule-name"));
    await user.click(screen.getByTestId("rules-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Every rule needs a name.");
    await user.type(within(card(0)).getByTestId("rule-name"), "R");
    await user.selectOptions(within(card(0)).getByTestId("rule-add-condition"), "min_margin");
    await user.clear(within(card(0)).getByTestId("condition-margin"));
    await user.type(within(card(0)).getByTestId("condition-margin"), "a lot");
    await user.click(screen.getByTestId("rules-save"));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("The margin must be a number."));
    expect(b.callsTo("save_rule_set")).toHaveLength(0);
    // Deleting the rule leaves nothing to refuse.
    await user.click(within(card(0)).getByTestId("rule-delete"));
    expect(screen.queryAllByTestId("rule")).toHaveLength(0);
  });

  it("each account has its own rules", async () => {
    const shopB = recordedFor<RuleSet>(rulesEdit, "rule_set", { accountId: 2 });
    expect(shopB.rules.map((r) => r.name)).toEqual(["B only"]);
    serveRecorded(rulesEdit);
    const user = await openRules(2);
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Rules — Shop B");
    expect(screen.getByTestId("rules-enabled")).toBeChecked();
    expect(ruleNames()).toEqual(["B only"]);
    await user.click(screen.getByText(/Back/));
    expect(await screen.findByTestId("rules-1")).toBeInTheDocument();
  });
});
