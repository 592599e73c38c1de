import { describe, expect, it, vi } from "vitest";
import { applyEngineEvent, keys, readUnlessCached, refreshAfterStatusChange } from "./queries";
import { newQueryClient } from "./queryClient";

const invalidated = (spy: { mock: { calls: unknown[][] } }) =>
  spy.mock.calls.map((c) => (c[0] as { queryKey: readonly unknown[] }).queryKey);

describe("engine events", () => {
  it("import progress is kept for the import screen; its last event refreshes the lists and offers", () => {
    const qc = newQueryClient();
    const spy = vi.spyOn(qc, "invalidateQueries");
    applyEngineEvent(qc, { type: "import_progress", list: "Supplier A", done: 40, total: 100, rows: 1200 });
    expect(qc.getQueryData(keys.importProgress)).toEqual({ list: "Supplier A", done: 40, total: 100, rows: 1200 });
    expect(spy).not.toHaveBeenCalled();
    applyEngineEvent(qc, { type: "import_progress", list: "Supplier A", done: 100, total: 100, rows: 3000 });
    expect(qc.getQueryData(keys.importProgress)).toMatchObject({ done: 100, rows: 3000 });
    expect(invalidated(spy)).toEqual([keys.priceLists, keys.offersAll]);
  });

  it("changed orders refresh the inbox, the orders, the shop's orders, the customers, the cabinet and the catalog", () => {
    const qc = newQueryClient();
    const spy = vi.spyOn(qc, "invalidateQueries");
    applyEngineEvent(qc, { type: "orders_changed", account_id: 1 });
    expect(invalidated(spy)).toEqual([keys.inboxAll, keys.orderAll, keys.shopOrdersAll, keys.customers, keys.cabinetAll, keys.catalogAll]);
  });

  it("a delivered or refused call refreshes the orders and an open shop order, whose timeline shows it", () => {
    const qc = newQueryClient();
    const spy = vi.spyOn(qc, "invalidateQueries");
    applyEngineEvent(qc, { type: "outbox", account_id: 1 });
    expect(invalidated(spy)).toEqual([keys.orderAll, keys.cabinetOrderAll, keys.outboxAll, keys.accounts]);
  });

  it("the keychain's late answer refreshes the app's info, whose warning it changes", () => {
    const qc = newQueryClient();
    const spy = vi.spyOn(qc, "invalidateQueries");
    applyEngineEvent(qc, { type: "keychain_checked" });
    expect(invalidated(spy)).toEqual([keys.appInfo]);
  });

  it("export progress is kept for the export dialog and refreshes nothing", () => {
    const qc = newQueryClient();
    const spy = vi.spyOn(qc, "invalidateQueries");
    applyEngineEvent(qc, { type: "export_progress", done: 300, total: 1000 });
    expect(qc.getQueryData(keys.exportProgress)).toEqual({ done: 300, total: 1000 });
    expect(spy).not.toHaveBeenCalled();
  });

  it("a sync's progress is kept per account, refreshes nothing, and is gone after the last page", () => {
    const qc = newQueryClient();
    const spy = vi.spyOn(qc, "invalidateQueries");
    applyEngineEvent(qc, { type: "sync_progress", account_id: 2, pages_done: 1, pages_total: 3 });
    expect(qc.getQueryData(keys.syncProgress(2))).toEqual({ pages_done: 1, pages_total: 3 });
    expect(qc.getQueryData(keys.syncProgress(1))).toBeUndefined();
    applyEngineEvent(qc, { type: "sync_progress", account_id: 2, pages_done: 3, pages_total: 3 });
    expect(qc.getQueryData(keys.syncProgress(2))).toBeNull();
    expect(spy).not.toHaveBeenCalled();
  });

  it("an account's health ends its progress and refreshes the accounts and its log", () => {
    const qc = newQueryClient();
    const spy = vi.spyOn(qc, "invalidateQueries");
    applyEngineEvent(qc, { type: "sync_progress", account_id: 2, pages_done: 1, pages_total: 3 });
    applyEngineEvent(qc, { type: "account_health", account_id: 2 });
    expect(qc.getQueryData(keys.syncProgress(2))).toBeNull();
    expect(invalidated(spy)).toEqual([keys.accounts, keys.accountLog(2)]);
  });
});

describe("after a change", () => {
  it("a status change refreshes the lines' orders and what it queued for the marketplace", async () => {
    const qc = newQueryClient();
    const spy = vi.spyOn(qc, "invalidateQueries");
    await refreshAfterStatusChange(qc);
    expect(invalidated(spy)).toEqual([
      keys.inboxAll,
      keys.orderAll,
      keys.outboxAll,
      keys.accounts,
      keys.shopOrdersAll,
      keys.cabinetAll,
    ]);
  });
});

describe("a screen's first reads", () => {
  const shown = [["a"], ["b"]] as const;
  const read = () => Promise.resolve();

  it("are waited for while one of them was never read", () => {
    const qc = newQueryClient();
    qc.setQueryData(["a"], 1);
    expect(readUnlessCached(qc, shown, read)).not.toBeNull();
  });

  it("are not waited for when all are cached", () => {
    const qc = newQueryClient();
    qc.setQueryData(["a"], 1);
    qc.setQueryData(["b"], 2);
    expect(readUnlessCached(qc, shown, read)).toBeNull();
  });

  it("are not waited for when one of them failed last time: it is read again, the screen not held back for it", async () => {
    const qc = newQueryClient();
    qc.setQueryData(["a"], 1);
    await qc.prefetchQuery({ queryKey: ["b"], queryFn: () => Promise.reject(new Error("targets unreadable")) });
    expect(qc.getQueryState(["b"])?.status).toBe("error");
    const reads = vi.fn(read);
    expect(readUnlessCached(qc, shown, reads)).toBeNull();
    expect(reads).toHaveBeenCalledOnce();
  });
});
