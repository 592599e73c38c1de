// All orders' filters folded into one row: chips for what is set, a panel for the rest; and the
// counts bar telling a group from a status of the same name.
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useRef, useState } from "react";
import { describe, expect, it } from "vitest";
import type { OrderFilter } from "../bindings/OrderFilter";
import type { ShopStatus } from "../bindings/ShopStatus";
import { en } from "../i18n/en";
import { renderWithProviders } from "../test/render";
import { Filters, filterChips } from "./Filters";
import { StatsBar } from "./StatsBar";
import { emptyFilter } from "./viewState";

/** The cabinet's part of the screen: the applied filter, the form's draft, Find and the chips' ×. */
function Harness({ initial }: { initial: OrderFilter }) {
  const [applied, setApplied] = useState(initial);
  const [draft, setDraft] = useState(initial);
  const searchRef = useRef<HTMLInputElement>(null);
  const apply = (next: OrderFilter) => {
    setApplied(next);
    setDraft(next);
  };
  return (
    <>
      <Filters
        draft={draft}
        applied={applied}
        onChange={setDraft}
        onFind={() => apply(draft)}
        onClear={() => apply(emptyFilter())}
        onClearPart={(part) => apply({ ...applied, ...part })}
        statuses={[]}
        accounts={[]}
        searchRef={searchRef}
      />
      <output data-testid="applied">{JSON.stringify(applied)}</output>
    </>
  );
}

const applied = (): OrderFilter => JSON.parse(screen.getByTestId("applied").textContent ?? "{}") as OrderFilter;
const chipIds = () => screen.queryAllByTestId(/^cabinet-chip-(?!clear)/).map((c) => c.getAttribute("data-testid"));

describe("the folded filters", () => {
  it("a chip says each filter that is set, the status aside (the counts bar shows it)", () => {
    const f: OrderFilter = {
      ...emptyFilter(),
      groups: ["new"],
      payment: ["cash_on_delivery"],
      paid: false,
      manual: true,
      from: "2026-11-01T00:00:00.000Z",
      search: "ivan",
    };
    expect(filterChips(f, en, "en", []).map((c) => c.label)).toEqual([
      "Search: ivan",
      `Payment: ${en.cabinet.payment.cash_on_delivery}`,
      "Paid: No",
      `Source: ${en.cabinet.manual}`,
      expect.stringMatching(/^From: /),
    ]);
    expect(filterChips(emptyFilter(), en, "en", [])).toEqual([]);
  });

  it("shows one row: the panel opens from Filters, applies there, and the chips follow; × clears a filter at once", async () => {
    const user = userEvent.setup();
    renderWithProviders(<Harness initial={{ ...emptyFilter(), paid: true, types: ["through"] }} />);
    expect(chipIds()).toEqual(["cabinet-chip-paid", "cabinet-chip-type"]);
    expect(screen.getByTestId("cabinet-filters-toggle")).toHaveTextContent("2");
    const panel = screen.getByTestId("cabinet-filter-panel");
    expect(panel).not.toBeVisible();

    await user.click(screen.getByTestId("cabinet-filters-toggle"));
    expect(panel).toBeVisible();
    await user.selectOptions(within(panel).getByTestId("cabinet-filter-payment"), "cash_on_delivery");
    // Nothing applies until Apply.
    expect(chipIds()).toEqual(["cabinet-chip-paid", "cabinet-chip-type"]);
    await user.click(within(panel).getByTestId("cabinet-filters-apply"));
    expect(panel).not.toBeVisible();
    expect(chipIds()).toEqual(["cabinet-chip-payment", "cabinet-chip-paid", "cabinet-chip-type"]);
    expect(applied().payment).toEqual(["cash_on_delivery"]);

    await user.click(screen.getByTestId("cabinet-chip-clear-paid"));
    expect(applied().paid).toBeNull();
    expect(applied().types).toEqual(["through"]);
    expect(chipIds()).toEqual(["cabinet-chip-payment", "cabinet-chip-type"]);
    expect(screen.getByTestId("cabinet-filter-paid")).toHaveValue("");

    // "Card" is paying by card on delivery or online; its chip says so in one word.
    await user.click(screen.getByTestId("cabinet-filters-toggle"));
    await user.selectOptions(within(panel).getByTestId("cabinet-filter-payment"), "card");
    await user.click(within(panel).getByTestId("cabinet-filters-apply"));
    expect(applied().payment).toEqual(["card_on_delivery", "card_online"]);
    expect(screen.getByTestId("cabinet-chip-payment")).toHaveTextContent("Payment: Card (on delivery or online)");
    await user.click(screen.getByTestId("cabinet-filters-toggle"));
    expect(within(panel).getByTestId("cabinet-filter-payment")).toHaveValue("card");

    await user.click(screen.getByTestId("cabinet-clear"));
    expect(chipIds()).toEqual([]);
  });
});

describe("the counts bar", () => {
  it("names a group as a group when a status has the same name", () => {
    const statuses: ShopStatus[] = [
      { id: 1, code: "accepted", name: "", group: "new", position: 1, writes_off: false },
      { id: 2, code: null, name: "Refused", group: "refused", position: 2, writes_off: false },
      { id: 3, code: null, name: "Gone", group: "removed", position: 3, writes_off: false },
    ];
    renderWithProviders(
      <StatsBar
        stats={{ by_status: [{ status_id: 2, count: 4 }], total: 4 }}
        statuses={statuses}
        filter={emptyFilter()}
        onPick={() => {}}
      />,
    );
    expect(screen.getByTestId("cabinet-stat-group-refused")).toHaveTextContent(/^Group: Refused 4$/);
    expect(screen.getByTestId("cabinet-stat-2")).toHaveTextContent(/^Refused 4$/);
    // No clash, no prefix.
    expect(screen.getByTestId("cabinet-stat-group-removed")).toHaveTextContent(/^Removed 0$/);
  });

  it("says a search's counts are at least what they show when the bar counted only its newest matches", () => {
    const statuses: ShopStatus[] = [
      { id: 1, code: "accepted", name: "", group: "new", position: 1, writes_off: false },
      { id: 2, code: null, name: "Refused", group: "refused", position: 2, writes_off: false },
    ];
    const props = { statuses, filter: { ...emptyFilter(), search: "kowal" }, onPick: () => {} };
    const { unmount } = renderWithProviders(
      <StatsBar stats={{ by_status: [{ status_id: 2, count: 4 }], total: 4 }} {...props} />,
    );
    expect(screen.getByTestId("cabinet-stat-all")).toHaveTextContent(/^All 4$/);
    expect(screen.getByTestId("cabinet-stat-all")).not.toHaveAttribute("title");
    unmount();
    renderWithProviders(
      <StatsBar
        stats={{ by_status: [{ status_id: 1, count: 3200 }, { status_id: 2, count: 1800 }], total: 5000, capped_at: 5000 }}
        {...props}
      />,
    );
    expect(screen.getByTestId("cabinet-stat-all")).toHaveTextContent(/^All 5,000\+$/);
    expect(screen.getByTestId("cabinet-stat-all")).toHaveAttribute("title", en.cabinet.stats.capped("5,000"));
    expect(screen.getByTestId("cabinet-stat-2")).toHaveTextContent(/^Refused 1,800\+$/);
  });
});
