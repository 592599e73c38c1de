// The inbox reads a view a page at a time: the next page is asked for, after the last line it has,
// before the cursor or the scroll reaches the end, and never past the view's last page; a search
// narrows the view the same way.
import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { InboxLine } from "../bindings/InboxLine";
import type { InboxPage } from "../bindings/InboxPage";
import type { InboxQuery } from "../bindings/InboxQuery";
import ozonInbox from "../test/fixtures/ozon_inbox.json";
import { recorded, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { INBOX_PAGE } from "../queries";
import { Inbox } from "./Inbox";

/** 450 lines on three orders of 150: the pages cut the second and the third order. */
function backlog(): InboxLine[] {
  const [template] = recorded<InboxPage>(ozonInbox, "inbox").lines;
  if (!template) throw new Error("the recorded inbox is empty");
  return Array.from({ length: 450 }, (_, i) => {
    const order = Math.floor(i / 150);
    return {
      ...template,
      line: { ...template.line, id: 1000 + i, name: `Filter ${i}` },
      order_id: 500 + order,
      order_number: `P-${order}`,
    };
  });
}

/** The engine's keyset page: the lines after the query's `after`, at most `limit` of them. */
function page(all: InboxLine[], query: InboxQuery): InboxPage {
  const start = query.after == null ? 0 : all.findIndex((l) => l.line.id === query.after) + 1;
  return { lines: all.slice(start, start + (query.limit ?? all.length)), searched_to: null, lines_checked: 0 };
}

/**
 * The engine's read of a short search (Store::inbox_page): it checks at most `checks` lines of the
 * view after `after` and, its page unfilled before the view's end, says where it stopped.
 */
function walkPage(all: InboxLine[], query: InboxQuery, checks: number): InboxPage {
  const start = query.after == null ? 0 : all.findIndex((l) => l.line.id === query.after) + 1;
  const limit = query.limit ?? all.length;
  const lines: InboxLine[] = [];
  let at = start;
  for (; at < all.length && at < start + checks && lines.length < limit; at++) {
    const line = all[at];
    if (line && line.line.name.toLowerCase().includes((query.search ?? "").toLowerCase())) lines.push(line);
  }
  const stopped = lines.length < limit && at < all.length;
  return { lines, searched_to: stopped ? (all[at - 1]?.line.id ?? null) : null, lines_checked: at - start };
}

const press = (key: string, times = 1) => {
  for (let i = 0; i < times; i++) fireEvent.keyDown(window, { key });
};
const selectAll = () => screen.getByRole("checkbox", { name: /select all/i });
const cursorText = () => document.querySelector("[data-cursor=true]")?.textContent ?? "";

describe("the inbox reads its view page by page", () => {
  it("asks for the next page after the last line it has as the cursor nears the end, and stops at the last", async () => {
    const all = backlog();
    const engine = serveRecorded(ozonInbox, { inbox: (args) => page(all, (args as { query: InboxQuery }).query) });
    renderWithProviders(<Inbox onOpenOrder={vi.fn()} />);
    await waitFor(() => expect(screen.queryAllByTestId("inbox-row").length).toBeGreaterThan(0));
    const asked = () => engine.callsTo("inbox").map((c) => (c.args as { query: InboxQuery }).query);
    expect(asked()).toEqual([expect.objectContaining({ limit: INBOX_PAGE, after: null })]);

    // Rows: P-0's header and 150 lines, P-1's header and its first 50 lines. The cursor on the
    // first header is far from their end; on P-1's (row 151) it is within 100 rows of it.
    press("J");
    expect(cursorText()).toContain("P-0");
    expect(asked()).toHaveLength(1);
    press("J");
    await waitFor(() => expect(asked()).toHaveLength(2));
    expect(asked()[1]).toEqual(expect.objectContaining({ limit: INBOX_PAGE, after: all[199]?.line.id }));
    fireEvent.click(selectAll());
    expect(screen.getByText(/400 selected/)).toBeInTheDocument();
    fireEvent.click(selectAll());

    // P-1 cut between two pages is still one order: the next header is P-2's, at row 302 (had
    // P-1 been split in two, it would be P-1's second header at row 202, not near the end), which
    // brings the last page. It is short: nothing more is asked for, however far the cursor goes.
    press("J");
    await waitFor(() => expect(asked()).toHaveLength(3));
    expect(asked()[2]?.after).toBe(all[399]?.line.id);
    press("J", 2);
    press("j", 60);
    fireEvent.click(selectAll());
    expect(screen.getByText(/450 selected/)).toBeInTheDocument();
    expect(asked()).toHaveLength(3);
  }, 30_000);
});

describe("the inbox search", () => {
  it("is reached with /, narrows the view to what is typed once typing pauses, and gives the keys back on Enter", async () => {
    const all = backlog();
    const engine = serveRecorded(ozonInbox, {
      inbox: (args) => {
        const query = (args as { query: InboxQuery }).query;
        const found = query.search == null ? all : all.filter((l) => l.line.name.includes(query.search ?? ""));
        return page(found, query);
      },
    });
    renderWithProviders(<Inbox onOpenOrder={vi.fn()} />);
    await waitFor(() => expect(screen.queryAllByTestId("inbox-row").length).toBeGreaterThan(0));
    const asked = () => engine.callsTo("inbox").map((c) => (c.args as { query: InboxQuery }).query);
    const field = screen.getByTestId("inbox-search");

    press("j", 3);
    const before = cursorText();
    expect(before).toContain("Filter 2");
    // The pane beside the list follows the cursor once it rests.
    await waitFor(() => expect(screen.queryByText(/Move to a line/)).toBeNull());
    press("/");
    expect(document.activeElement).toBe(field);
    // Letters typed into the field are text, not triage keys.
    fireEvent.keyDown(field, { key: "j" });
    expect(cursorText()).toBe(before);

    fireEvent.change(field, { target: { value: "Filter 12" } });
    fireEvent.change(field, { target: { value: " Filter 12 " } });
    await waitFor(() => expect(screen.queryAllByTestId("inbox-row")).toHaveLength(11));
    // Another list: the cursor and the order beside it start over.
    expect(cursorText()).toBe("");
    await waitFor(() => expect(screen.getByText(/Move to a line/)).toBeInTheDocument());
    // One search for the pause, not one per keystroke, with the text trimmed.
    expect(asked().map((q) => q.search)).toEqual([null, "Filter 12"]);

    fireEvent.keyDown(field, { key: "Enter" });
    expect(document.activeElement).not.toBe(field);
    press("j", 2);
    expect(cursorText()).toContain("Filter 120");

    // Enter searches at once, without waiting out the pause: a j pressed right after it then moves
    // on the list it found, not on one the pause's search would replace (taking the cursor away).
    press("/");
    fireEvent.change(field, { target: { value: "Filter 7" } });
    fireEvent.keyDown(field, { key: "Enter" });
    expect(asked().map((q) => q.search)).toEqual([null, "Filter 12", "Filter 7"]);
    await waitFor(() => expect(screen.queryAllByTestId("inbox-row")).toHaveLength(11));
    press("j", 2);
    expect(cursorText()).toContain("Filter 7");
    await waitFor(() => expect(screen.queryByText(/Move to a line/)).toBeNull());
    expect(cursorText()).toContain("Filter 7");
    expect(asked()).toHaveLength(3);

    fireEvent.change(field, { target: { value: "no such thing" } });
    expect(await screen.findByText("No line here matches «no such thing».")).toBeInTheDocument();
    fireEvent.keyDown(field, { key: "Escape" });
    expect(field).toHaveValue("");
    // The whole view again (from the cache: it was read before the search).
    await waitFor(() => expect(screen.queryAllByTestId("inbox-row").length).toBeGreaterThan(11));
  }, 30_000);

  it("of one or two characters reads on where each read stopped, saying how many lines it has checked, until the view ends", async () => {
    // Four lines of 450 hold "99" ("Filter 99", "Filter 199", "Filter 299", "Filter 399"); "qz"
    // none. Each read checks 100 lines.
    const all = backlog();
    let release: (() => void) | null = null;
    let releaseQz: (() => void) | null = null;
    const engine = serveRecorded(ozonInbox, {
      inbox: async (args) => {
        const query = (args as { query: InboxQuery }).query;
        if (query.search == null) return page(all, query);
        // The third read of "99" waits: the list shows what the first two found meanwhile.
        if (query.search === "99" && query.after === all[199]?.line.id) await new Promise<void>((r) => (release = r));
        if (query.search === "qz" && query.after === all[299]?.line.id) await new Promise<void>((r) => (releaseQz = r));
        return walkPage(all, query, 100);
      },
    });
    renderWithProviders(<Inbox onOpenOrder={vi.fn()} />);
    await waitFor(() => expect(screen.queryAllByTestId("inbox-row").length).toBeGreaterThan(0));
    const asked = () =>
      engine
        .callsTo("inbox")
        .map((c) => (c.args as { query: InboxQuery }).query)
        .filter((q) => q.search != null);
    const field = screen.getByTestId("inbox-search");
    fireEvent.change(field, { target: { value: "99" } });
    fireEvent.keyDown(field, { key: "Enter" });

    expect(await screen.findByText("Searching… 200 lines checked so far")).toBeInTheDocument();
    expect(screen.queryByTestId("inbox-empty")).toBeNull();
    expect(asked().map((q) => q.after)).toEqual([null, all[99]?.line.id, all[199]?.line.id]);
    const names = () => screen.queryAllByTestId("inbox-row").map((r) => r.textContent ?? "");
    await waitFor(() => expect(names().filter((n) => n.includes("Filter"))).toHaveLength(2));

    (release as (() => void) | null)?.();
    await waitFor(() => expect(screen.queryByTestId("inbox-searching")).toBeNull());
    expect(asked().map((q) => q.after)).toEqual([null, all[99]?.line.id, all[199]?.line.id, all[299]?.line.id, all[399]?.line.id]);
    await waitFor(() => expect(names().filter((n) => n.includes("Filter"))).toHaveLength(4));

    // Nowhere in the view: "no match" once the last read has said so, not before.
    fireEvent.change(field, { target: { value: "qz" } });
    fireEvent.keyDown(field, { key: "Enter" });
    expect(await screen.findByText("Searching… 300 lines checked so far")).toBeInTheDocument();
    expect(screen.queryByTestId("inbox-empty")).toBeNull();
    expect(screen.queryAllByTestId("inbox-row")).toHaveLength(0);
    (releaseQz as (() => void) | null)?.();
    expect(await screen.findByText("No line here matches «qz».")).toBeInTheDocument();
    expect(screen.queryByTestId("inbox-searching")).toBeNull();
    expect(asked().filter((q) => q.search === "qz")).toHaveLength(5);
  }, 30_000);

  it("stops asking for a page that failed, and says why", async () => {
    // The line a short search stopped at is gone (the retention removed it): that read fails.
    const all = backlog();
    const engine = serveRecorded(ozonInbox, {
      inbox: async (args) => {
        const query = (args as { query: InboxQuery }).query;
        if (query.search == null) return page(all, query);
        // Answered a turn later, as the app's calls are: the list sees the read under way.
        await new Promise<void>((r) => setTimeout(r, 0));
        if (query.after != null) throw { code: "not_found", message: "Line 1099 not found", words: null };
        return walkPage(all, query, 100);
      },
    });
    renderWithProviders(<Inbox onOpenOrder={vi.fn()} />);
    await waitFor(() => expect(screen.queryAllByTestId("inbox-row").length).toBeGreaterThan(0));
    const field = screen.getByTestId("inbox-search");
    fireEvent.change(field, { target: { value: "qz" } });
    fireEvent.keyDown(field, { key: "Enter" });
    expect(await screen.findByRole("alert")).toHaveTextContent("Line 1099 not found");
    expect(screen.queryByTestId("inbox-searching")).toBeNull();
    const failed = () => engine.callsTo("inbox").filter((c) => (c.args as { query: InboxQuery }).query.after != null);
    // A few turns of the event loop: a retry loop would have asked again by then.
    for (let i = 0; i < 5; i++) await act(() => new Promise<void>((r) => setTimeout(r, 0)));
    expect(failed()).toHaveLength(1);
  }, 30_000);
});

