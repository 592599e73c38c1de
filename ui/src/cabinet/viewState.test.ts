import { describe, expect, it } from "vitest";
import {
  dayEnd,
  dayOf,
  dayStart,
  defaultView,
  deleteView,
  emptyFilter,
  lastDayOf,
  loadCurrentView,
  loadSavedViews,
  parseView,
  sameView,
  saveView,
  serializeView,
  storeCurrentView,
  withoutStatus,
  type CabinetView,
} from "./viewState";

const busy: CabinetView = {
  filter: {
    status_ids: [3, 4],
    groups: ["in_work"],
    payment: ["cash_on_delivery", "prepaid"],
    paid: false,
    types: ["through"],
    account_ids: [2],
    kinds: ["ozon"],
    manual: true,
    from: "2026-11-01T00:00:00.000Z",
    to: "2026-11-30T23:59:59.999Z",
    search: "Иван & Co=1",
  },
  sort: { column: "total", desc: false },
};

describe("view state", () => {
  it("survives a round trip through its string, every field", () => {
    const text = serializeView(busy);
    expect(parseView(text)).toEqual(busy);
    expect(parseView(`?${text}`)).toEqual(busy);
  });

  it("is compact: only what narrows is written", () => {
    expect(serializeView(defaultView())).toBe("g=new&sort=-created");
    expect(serializeView({ filter: emptyFilter(), sort: { column: "number", desc: false } })).toBe("sort=number");
    expect(parseView("sort=number")).toEqual({ filter: emptyFilter(), sort: { column: "number", desc: false } });
  });

  it("the default view is the orders waiting in the “new” group, newest first", () => {
    expect(defaultView()).toEqual({ filter: { ...emptyFilter(), groups: ["new"] }, sort: { column: "created", desc: true } });
  });

  it("leaves out what it does not understand instead of failing", () => {
    const v = parseView("s=1,x,-2,1&g=new,bogus&pay=barter&paid=maybe&type=export&from=yesterday&sort=price&zzz=1");
    expect(v.filter).toEqual({ ...emptyFilter(), status_ids: [1], groups: ["new"], types: ["export"] });
    expect(v.sort).toEqual({ column: "created", desc: true });
  });

  it("compares views whatever order their lists were written in", () => {
    const a = parseView("s=1,2&sort=-created");
    const b = parseView("s=2,1&sort=-created");
    expect(sameView(a, b)).toBe(true);
    expect(sameView(a, parseView("s=1&sort=-created"))).toBe(false);
  });

  it("the statistics bar's filter drops only the status part", () => {
    expect(withoutStatus(busy.filter)).toEqual({ ...busy.filter, status_ids: [], groups: [] });
  });

  it("date inputs give whole local days; “to” ends where the next day starts (the engine's end is exclusive)", () => {
    const from = dayStart("2026-11-05");
    const to = dayEnd("2026-11-30");
    expect(from && new Date(from).getHours()).toBe(0);
    expect(dayOf(from)).toBe("2026-11-05");
    expect(to && new Date(to).getHours()).toBe(0);
    expect(dayOf(to)).toBe("2026-12-01");
    expect(lastDayOf(to)).toBe("2026-11-30");
    expect(dayStart("")).toBeNull();
    expect(dayEnd("")).toBeNull();
    expect(dayOf(null)).toBe("");
    expect(lastDayOf(null)).toBe("");
  });

  it("keeps the current view and named views on this computer", () => {
    expect(loadCurrentView()).toEqual(defaultView());
    storeCurrentView(busy);
    expect(loadCurrentView()).toEqual(busy);

    let views = saveView(loadSavedViews(), " Unpaid COD ", busy);
    views = saveView(views, "All", { filter: emptyFilter(), sort: { column: "created", desc: true } });
    expect(views.map((v) => v.name)).toEqual(["All", "Unpaid COD"]);
    expect(loadSavedViews()).toEqual(views);
    expect(parseView(loadSavedViews()[1]?.view ?? "")).toEqual(busy);
    // The same name again replaces the view.
    views = saveView(views, "All", defaultView());
    expect(views).toHaveLength(2);
    expect(deleteView(views, "All").map((v) => v.name)).toEqual(["Unpaid COD"]);
    localStorage.setItem("ordertray.cabinet.views", "not json");
    expect(loadSavedViews()).toEqual([]);
  });
});
