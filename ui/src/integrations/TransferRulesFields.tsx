// A transfer target's rules in its account form (RetailCRM, Shiptor…): the statuses an order gets
// after a transfer went through or was refused, and the status that sends an order on its own.
import type { ShopStatus } from "../bindings/ShopStatus";
import type { TransferRules } from "../bindings/TransferRules";
import { StatusOptions } from "../components/StatusOptions";
import { useI18n } from "../i18n";
import { useShopStatuses } from "../queries";
import { builtInName } from "../statuses/statuses";

/** Every rule at the engine's default: Transferred, Problematic, by hand only. */
export const DEFAULT_RULES: TransferRules = { success_status: null, failure_status: null, send_on_status: null };

/** "Deleted" is set only by Delete, never as a transfer's outcome or trigger. */
const offered = (statuses: readonly ShopStatus[]) => statuses.filter((s) => s.code !== "deleted");

function RuleSelect({
  label,
  testId,
  value,
  none,
  statuses,
  onChange,
}: {
  label: string;
  testId: string;
  value: number | null;
  /** What the empty choice means (the engine's default). */
  none: string;
  statuses: readonly ShopStatus[];
  onChange: (value: number | null) => void;
}) {
  return (
    <label>
      {label}
      <select
        data-testid={testId}
        value={value == null ? "" : String(value)}
        onChange={(e) => onChange(e.target.value === "" ? null : Number(e.target.value))}
      >
        <option value="">{none}</option>
        <StatusOptions statuses={offered(statuses)} />
      </select>
    </label>
  );
}

export function TransferRulesFields({ rules, onChange }: { rules: TransferRules; onChange: (rules: TransferRules) => void }) {
  const { t } = useI18n();
  const w = t.form.transfer;
  const statuses = useShopStatuses().data ?? [];
  return (
    <fieldset className="transfer-rules" data-testid="account-transfer-rules">
      <legend>{w.rules}</legend>
      <p className="hint">{w.targetHint}</p>
      <RuleSelect
        label={w.successStatus}
        testId="account-transfer-success"
        value={rules.success_status}
        none={w.byDefault(builtInName("transferred", t))}
        statuses={statuses}
        onChange={(success_status) => onChange({ ...rules, success_status })}
      />
      <RuleSelect
        label={w.failureStatus}
        testId="account-transfer-failure"
        value={rules.failure_status}
        none={w.byDefault(builtInName("problematic", t))}
        statuses={statuses}
        onChange={(failure_status) => onChange({ ...rules, failure_status })}
      />
      <RuleSelect
        label={w.sendOnStatus}
        testId="account-transfer-send-on"
        value={rules.send_on_status}
        none={w.byHand}
        statuses={statuses}
        onChange={(send_on_status) => onChange({ ...rules, send_on_status })}
      />
    </fieldset>
  );
}
