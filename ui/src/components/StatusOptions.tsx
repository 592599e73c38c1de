import type { ShopStatus } from "../bindings/ShopStatus";
import { useI18n } from "../i18n";
import { statusName } from "../statuses/statuses";

/** The shop's statuses as <option>s, in workflow order, by the name the manager knows them by. */
export function StatusOptions({ statuses }: { statuses: readonly ShopStatus[] }) {
  const { t } = useI18n();
  return (
    <>
      {statuses.map((s) => (
        <option key={s.id} value={s.id}>
          {statusName(s, t)}
        </option>
      ))}
    </>
  );
}
