import { numberFormat } from "../intl";
import { useState } from "react";
import type { CabinetStats } from "../bindings/CabinetStats";
import type { OrderFilter } from "../bindings/OrderFilter";
import type { ShopStatus } from "../bindings/ShopStatus";
import type { StatusGroup } from "../bindings/StatusGroup";
import { useI18n } from "../i18n";
import { GROUPS, statusName } from "../statuses/statuses";

/** Orders per group: the sum of the group's statuses' counts. */
export function groupCounts(stats: CabinetStats, statuses: readonly ShopStatus[]): Map<StatusGroup, number> {
  const groupOf = new Map(statuses.map((s) => [s.id, s.group]));
  const out = new Map<StatusGroup, number>();
  for (const c of stats.by_status) {
    const group = c.status_id == null ? undefined : groupOf.get(c.status_id);
    if (group) out.set(group, (out.get(group) ?? 0) + c.count);
  }
  return out;
}

/**
 * Counts per status group and per status under the other filters; a click narrows the list to
 * exactly that count (the status part of the filter is replaced, the rest kept).
 */
export function StatsBar({
  stats,
  statuses,
  filter,
  onPick,
}: {
  stats: CabinetStats | undefined;
  statuses: readonly ShopStatus[] | undefined;
  filter: OrderFilter;
  onPick: (part: Pick<OrderFilter, "status_ids" | "groups">) => void;
}) {
  const { t, locale } = useI18n();
  const [showEmpty, setShowEmpty] = useState(false);
  if (!stats || !statuses) return <div className="cabinet-stats" aria-busy="true" />;
  const number = numberFormat(locale);
  // A search matching very many orders is counted among its newest matches only, and one of one or
  // two characters among the newest orders: each count is then at least what it says.
  const capped = stats.capped_at != null || stats.searched_newest != null;
  const cappedTitle =
    stats.capped_at != null
      ? t.cabinet.stats.capped(number.format(stats.capped_at))
      : stats.searched_newest != null
        ? t.cabinet.stats.searchedNewest(number.format(stats.searched_newest))
        : undefined;
  const count = (n: number) => (capped ? `${number.format(n)}+` : number.format(n));
  const byStatus = new Map(stats.by_status.map((c) => [c.status_id, c.count]));
  const groups = groupCounts(stats, statuses);
  const noStatus = byStatus.get(null) ?? 0;
  const only = <T,>(xs: readonly T[], x: T) => xs.length === 1 && xs[0] === x;
  const allActive = filter.status_ids.length === 0 && filter.groups.length === 0;
  const empty = statuses.filter(
    (s) => (byStatus.get(s.id) ?? 0) === 0 && !(filter.groups.length === 0 && only(filter.status_ids, s.id)),
  ).length;
  // A group and a status may share a name ("Refused"): the group's chip then says it is a group.
  const statusNames = new Set(statuses.map((s) => statusName(s, t).toLocaleLowerCase(locale)));
  const groupLabel = (g: StatusGroup) => {
    const name = t.statuses.groups[g];
    return statusNames.has(name.toLocaleLowerCase(locale)) ? t.cabinet.filters.group(name) : name;
  };
  return (
    <div className="cabinet-stats" data-testid="cabinet-stats">
      <div className="stat-row stat-groups" role="group" aria-label={t.cabinet.stats.groups}>
        <span className="stat-caption muted" aria-hidden="true">
          {t.cabinet.stats.groups}:
        </span>
        <button
          type="button"
          className={allActive ? "stat active" : "stat"}
          aria-pressed={allActive}
          data-testid="cabinet-stat-all"
          title={cappedTitle}
          onClick={() => onPick({ status_ids: [], groups: [] })}
        >
          <span>{t.cabinet.stats.all}</span> <span className="stat-count">{count(stats.total)}</span>
        </button>
        {GROUPS.filter((g) => statuses.some((s) => s.group === g)).map((g) => {
          const active = filter.status_ids.length === 0 && only(filter.groups, g);
          const n = groups.get(g) ?? 0;
          return (
            <button
              key={g}
              type="button"
              className={`stat stat-group-${g}${active ? " active" : ""}`}
              aria-pressed={active}
              title={t.cabinet.stats.filterBy(t.statuses.groups[g], n)}
              data-testid={`cabinet-stat-group-${g}`}
              onClick={() => onPick({ status_ids: [], groups: [g] })}
            >
              <span>{groupLabel(g)}</span> <span className="stat-count">{count(n)}</span>
            </button>
          );
        })}
      </div>
      <div className="stat-row stat-statuses" role="group" aria-label={t.cabinet.stats.statuses}>
        <span className="stat-caption muted" aria-hidden="true">
          {t.cabinet.stats.statuses}:
        </span>
        {statuses.map((s) => {
          const active = filter.groups.length === 0 && only(filter.status_ids, s.id);
          const n = byStatus.get(s.id) ?? 0;
          // Statuses no order is in wait behind "+N" (a dozen built-ins would take three rows).
          if (n === 0 && !active && !showEmpty) return null;
          const name = statusName(s, t);
          return (
            <button
              key={s.id}
              type="button"
              className={`stat stat-group-${s.group}${active ? " active" : ""}${n === 0 ? " empty" : ""}`}
              aria-pressed={active}
              title={t.cabinet.stats.filterBy(name, n)}
              data-testid={`cabinet-stat-${s.id}`}
              onClick={() => onPick({ status_ids: [s.id], groups: [] })}
            >
              <span>{name}</span> <span className="stat-count">{count(n)}</span>
            </button>
          );
        })}
        {empty > 0 && (
          <button
            type="button"
            className="link stat-more"
            aria-expanded={showEmpty}
            title={showEmpty ? t.cabinet.stats.hideEmpty : t.cabinet.stats.showEmpty(empty)}
            data-testid="cabinet-stats-empty"
            onClick={() => setShowEmpty((v) => !v)}
          >
            {showEmpty ? t.cabinet.stats.hideEmpty : `+${number.format(empty)}`}
          </button>
        )}
        {noStatus > 0 && (
          <span className="stat muted" data-testid="cabinet-stat-none">
            {t.cabinet.stats.none} <span className="stat-count">{count(noStatus)}</span>
          </span>
        )}
      </div>
    </div>
  );
}
