import type { CancelReasonOption } from "../bindings/CancelReasonOption";

/**
 * The cancel reasons to offer: the marketplace's current list when loaded, else the ones its
 * integration documents (`builtIn`, titled by the UI); the chosen one always stays.
 */
export function reasonOptions(
  loaded: CancelReasonOption[] | undefined,
  chosen: number,
  builtInTitles: Record<number, string>,
  builtIn: readonly number[],
): CancelReasonOption[] {
  const list = loaded?.length ? loaded : builtIn.map((id) => ({ id, title: builtInTitles[id] ?? "" }));
  return list.some((r) => r.id === chosen) ? list : [...list, { id: chosen, title: builtInTitles[chosen] ?? "?" }];
}
