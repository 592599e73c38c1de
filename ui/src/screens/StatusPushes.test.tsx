import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { InboxLine } from "../bindings/InboxLine";
import type { InboxPage } from "../bindings/InboxPage";
import type { PushSettings } from "../bindings/PushSettings";
import pushesFixture from "../test/fixtures/pushes.json";
import pushesRefused from "../test/fixtures/pushes_refused.json";
import pushesSaved from "../test/fixtures/pushes_saved.json";
import pushesZzap from "../test/fixtures/pushes_zzap.json";
import { type Fixture, recordedFor, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

/**
 * The engine's scenarios (ui_fixtures.rs, push_settings_edit and push_settings_zzap): Shop A
 * (Ozon) has two accepted lines, "Brake pad" of an older posting and "Oil filter" of a newer one;
 * Shop B has none. `pushes` records previews and the save of test three, `pushes_refused` a save
 * with an unknown variable, `pushes_saved` settings another window left with problems;
 * `pushes_zzap` a ZZAP account whose status list is loaded from the fake ZZAP. The engine's
 * template and capability rules are tested in Rust (core templates, engine statuses and zzap tests).
 */
const accepted = (fixture: Fixture, accountId: number) =>
  recordedFor<InboxPage>(fixture, "inbox", {
    query: { account_id: accountId, state: "accepted", limit: 20, after: null, processed: false, sort: "newest", search: null },
  }).lines;

async function openPushes(accountId = 1) {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-accounts"));
  await user.click(await screen.findByTestId(`pushes-${accountId}`));
  await screen.findByTestId("push-accepted-status");
  return user;
}

const pushRows = () => screen.queryAllByTestId("push-row");
const pushRow = (i: number) => pushRows()[i] as HTMLElement;
/** The suggestions an input offers: the options of the datalist it names. */
const suggestions = (input: HTMLElement) =>
  [...(document.getElementById(input.getAttribute("list") ?? "")?.querySelectorAll("option") ?? [])].map((o) => o.value);

describe("status updates to the marketplace", () => {
  it("a ZZAP account loads its own status list and offers the codes by their ZZAP names", async () => {
    const b = serveRecorded(pushesZzap);
    const loaded = recordedFor<PushSettings>(pushesZzap, "load_marketplace_statuses", { accountId: 1 });
    const codes = Object.entries(loaded.capabilities.labels);
    expect(codes.length).toBeGreaterThan(1);
    const user = await openPushes();
    expect(screen.getByTestId("push-dictionary")).toHaveTextContent("ZZAP's status list is not loaded yet");
    expect(suggestions(screen.getByTestId("push-accepted-status"))).toEqual([]);

    await user.click(screen.getByTestId("push-load-statuses"));
    const [first, second] = codes as [[string, string], [string, string]];
    await waitFor(() =>
      expect(screen.getByTestId("push-capabilities")).toHaveTextContent(
        `ZZAP can set for single lines: «${first[1]}» (${first[0]}), «${second[1]}» (${second[0]})`,
      ),
    );
    expect(b.callsTo("load_marketplace_statuses").map((c) => c.args)).toEqual([{ accountId: 1 }]);
    expect(screen.getByText(`ZZAP: ${codes.length} statuses loaded`)).toBeInTheDocument();
    expect(screen.getByTestId("push-dictionary")).not.toHaveTextContent("not loaded yet");
    const input = screen.getByTestId("push-accepted-status");
    expect(suggestions(input)).toEqual(loaded.capabilities.line_statuses);
    const names = [...(document.getElementById(input.getAttribute("list") ?? "")?.querySelectorAll("option") ?? [])].map(
      (o) => o.textContent,
    );
    expect(names).toEqual(loaded.capabilities.line_statuses.map((code) => loaded.capabilities.labels[code]));
  });

  it("an Ozon account has no status list to load", async () => {
    serveRecorded(pushesFixture);
    await openPushes();
    expect(screen.queryByTestId("push-load-statuses")).toBeNull();
  });

  it("sets what acceptance, refusal and each status send, and saves it", async () => {
    const b = serveRecorded(pushesFixture);
    const user = await openPushes();
    expect(screen.getByTestId("pushes")).toHaveTextContent("Status updates to the marketplace — Shop A");
    expect(b.callsTo("push_settings").map((c) => c.args)).toEqual([{ accountId: 1 }]);
    const ozon = recordedFor<PushSettings>(pushesFixture, "push_settings", { accountId: 1 }).capabilities;
    expect(ozon.line_statuses).toEqual(["cancel"]);
    expect(ozon.order_statuses.slice(0, 2)).toEqual(["ship", "cancel"]);
    expect(screen.getByTestId("push-capabilities")).toHaveTextContent(
      "Ozon can set for single lines: «cancel» (cancel); for a whole order: «ship the posting» (ship), «cancel» (cancel)",
    );
    expect(screen.getByTestId("push-capabilities")).toHaveTextContent("It takes no comments.");
    expect(screen.getByText("No status sends anything yet.")).toBeInTheDocument();

    await user.type(screen.getByTestId("push-accepted-status"), "ship");
    expect(suggestions(screen.getByTestId("push-accepted-status"))).toEqual([...new Set([...ozon.line_statuses, ...ozon.order_statuses])]);
    await user.type(screen.getByTestId("push-refusal-status"), "cancel");
    await user.selectOptions(screen.getByTestId("push-buyer-cancel-status"), "6");

    await user.click(screen.getByTestId("pushes-add"));
    await user.selectOptions(within(pushRow(0)).getByTestId("push-status"), "4");
    const market = within(pushRow(0)).getByTestId("push-marketplace-status");
    expect(suggestions(market)).toEqual(["cancel"]);
    await user.selectOptions(within(pushRow(0)).getByTestId("push-level"), "order");
    expect(suggestions(market)).toEqual(ozon.order_statuses);
    await user.type(market, "ship");
    await user.click(screen.getByTestId("pushes-add"));
    await user.selectOptions(within(pushRow(1)).getByTestId("push-status"), "5");
    await user.selectOptions(within(pushRow(1)).getByTestId("push-level"), "order");
    // A status Ozon has no call for.
    await user.type(within(pushRow(1)).getByTestId("push-marketplace-status"), "awaiting_deliver");
    // Braces are typed doubled: user-event reads a single one as a key name.
    await user.type(within(pushRow(1)).getByTestId("push-comment"), "Заказ {{order} доставлен");
    await user.click(screen.getByTestId("pushes-add"));
    await user.click(within(pushRow(2)).getByTestId("push-remove"));
    expect(pushRows()).toHaveLength(2);
    expect(screen.getByTestId("pushes-unsaved")).toBeInTheDocument();

    await user.click(screen.getByTestId("pushes-save"));
    await waitFor(() => expect(screen.queryByTestId("pushes-unsaved")).toBeNull());
    expect(b.callsTo("save_push_settings").map((c) => c.args)).toEqual([
      {
        accountId: 1,
        templates: {
          accepted_status: "ship",
          accepted_notice: "",
          refusal_status: "cancel",
          refusal_text: "",
          buyer_cancel_status_id: 6,
          pushes: [
            { status_id: 4, level: "order", marketplace_status: "ship", comment: "" },
            { status_id: 5, level: "order", marketplace_status: "awaiting_deliver", comment: "Заказ {order} доставлен" },
          ],
          incoming: [],
        },
      },
    ]);
    expect(await screen.findByText("Status updates saved")).toBeInTheDocument();

    // What Ozon cannot honour was saved, and is said beside the row it concerns.
    expect(within(pushRow(0)).queryAllByTestId("push-problem")).toHaveLength(0);
    expect(within(pushRow(1)).getAllByTestId("push-problem").map((p) => p.textContent)).toEqual([
      "Ozon cannot set «awaiting_deliver» for a whole order",
      "Ozon does not take comments; this text is not sent",
    ]);
    // Fixing the row in the draft takes its problem away.
    await user.selectOptions(within(pushRow(1)).getByTestId("push-level"), "line");
    await user.clear(within(pushRow(1)).getByTestId("push-marketplace-status"));
    await user.type(within(pushRow(1)).getByTestId("push-marketplace-status"), "cancel");
    expect(within(pushRow(1)).getAllByTestId("push-problem").map((p) => p.textContent)).toEqual([
      "Ozon does not take comments; this text is not sent",
    ]);
  });

  it("shows saved problems beside the acceptance and refusal fields, and those of no row above them", async () => {
    serveRecorded(pushesSaved);
    await openPushes();
    const accepted = screen.getByTestId("push-accepted-status").closest(".push-field") as HTMLElement;
    expect(within(accepted).getByTestId("push-problem")).toHaveTextContent("Ozon cannot set «awaiting_deliver»");
    const refusal = screen.getByTestId("push-refusal-text").closest(".push-field") as HTMLElement;
    expect(within(refusal).getByTestId("push-problem")).toHaveTextContent(
      "Ozon does not take comments; this text is not sent",
    );
    // The row's status is not the shop's any more: the row's problem is still said, not dropped.
    expect(within(pushRow(0)).getByTestId("push-problem")).toHaveTextContent(
      "Ozon cannot set «ship» for single lines",
    );
  });

  it("previews a comment with the account's newest accepted line, or names what has no value yet", async () => {
    const b = serveRecorded(pushesFixture);
    const [newer, older] = accepted(pushesFixture, 1) as [InboxLine, InboxLine];
    const user = await openPushes();
    expect(screen.getByTestId("push-variables")).toHaveTextContent("{tracking}");
    await waitFor(() => expect(screen.getByTestId("preview-line")).toHaveDisplayValue(`${newer.order_number} — Oil filter`));

    await user.click(screen.getByTestId("pushes-add"));
    await user.selectOptions(within(pushRow(0)).getByTestId("push-status"), "2");
    const comment = within(pushRow(0)).getByTestId("push-comment");
    await user.type(comment, "Заказ {{order}: {{name} × {{qty}, статус «{{status}»");
    await user.click(within(pushRow(0)).getByTestId("push-preview"));
    // The text is the engine's: a built-in status the shop did not rename is filled in by its name
    // in the manager's language.
    expect(await within(pushRow(0)).findByTestId("push-preview-text")).toHaveTextContent(
      `Заказ ${newer.order_number}: Oil filter × 1, статус «Ordered from the supplier»`,
    );
    expect(b.callsTo("preview_template").map((c) => c.args)).toEqual([
      { lineId: newer.line.id, statusId: 2, template: "Заказ {order}: {name} × {qty}, статус «{status}»" },
    ]);

    // Editing the text hides a preview of the old one.
    await user.type(comment, ", трек {{tracking}");
    expect(within(pushRow(0)).queryByTestId("push-preview-text")).toBeNull();
    await user.click(within(pushRow(0)).getByTestId("push-preview"));
    expect(await within(pushRow(0)).findByTestId("push-preview-error")).toHaveTextContent("no value yet for: {tracking}");

    // Another line can be chosen; the accepted notice previews with the first "new" status.
    await user.selectOptions(screen.getByTestId("preview-line"), String(older.line.id));
    await user.type(screen.getByTestId("push-accepted-notice"), "{{order} принят");
    const notice = screen.getByTestId("push-accepted-notice").closest(".push-field") as HTMLElement;
    await user.click(within(notice).getByTestId("push-preview"));
    expect(await within(notice).findByTestId("push-preview-text")).toHaveTextContent(`${older.order_number} принят`);
    expect(b.callsTo("preview_template").at(-1)?.args).toEqual({ lineId: older.line.id, statusId: 1, template: "{order} принят" });
  });

  it("without an accepted line, Preview says what it needs", async () => {
    const b = serveRecorded(pushesFixture);
    expect(accepted(pushesFixture, 2)).toEqual([]);
    const user = await openPushes(2);
    expect(screen.getByTestId("push-variables")).toHaveTextContent("no accepted line yet");
    await user.type(screen.getByTestId("push-refusal-text"), "Отказ по {{order}");
    const refusal = screen.getByTestId("push-refusal-text").closest(".push-field") as HTMLElement;
    await user.click(within(refusal).getByTestId("push-preview"));
    expect(within(refusal).getByTestId("push-preview-error")).toHaveTextContent(
      "This account has no accepted line yet: accept one to preview the comments.",
    );
    expect(b.callsTo("preview_template")).toHaveLength(0);
  });

  it("a template with an unknown variable is refused with the engine's words", async () => {
    const b = serveRecorded(pushesRefused);
    const user = await openPushes();
    await user.type(screen.getByTestId("push-accepted-notice"), "Спасибо, {{buyer}!");
    await user.click(screen.getByTestId("pushes-save"));
    expect(await screen.findByTestId("pushes-error")).toHaveTextContent(
      "Template «Спасибо, {buyer}!»: unknown variable(s): {buyer}",
    );
    expect(screen.getByTestId("pushes-unsaved")).toBeInTheDocument();
    expect(b.callsTo("save_push_settings")).toHaveLength(1);
  });
});
