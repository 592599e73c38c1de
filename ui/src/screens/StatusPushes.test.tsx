import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { FakeBackend, acceptedLine, accountView, zzapAccountView } from "../test/backend";
import { emptyTemplates } from "../test/pushes";
import { renderWithProviders } from "../test/render";

/** Shop A has an accepted line (Brake pad, order 0570-0029-1); Shop B has none. */
function withAccounts(): FakeBackend {
  const b = new FakeBackend();
  b.accounts = [accountView(1, "Shop A"), accountView(2, "Shop B")];
  b.lines = [acceptedLine(1, "0570-0029-1", "Brake pad")];
  return b.install();
}

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
    const b = new FakeBackend();
    b.accounts = [zzapAccountView(1, "ZZAP shop")];
    b.remoteStatuses = [
      { code: "2", name: "Принят в работу" },
      { code: "5", name: "Отказ поставщика" },
    ];
    b.install();
    const user = await openPushes();
    expect(screen.getByTestId("push-dictionary")).toHaveTextContent("ZZAP's status list is not loaded yet");
    expect(suggestions(screen.getByTestId("push-accepted-status"))).toEqual([]);

    await user.click(screen.getByTestId("push-load-statuses"));
    await waitFor(() =>
      expect(screen.getByTestId("push-capabilities")).toHaveTextContent(
        "ZZAP can set for single lines: «Принят в работу» (2), «Отказ поставщика» (5)",
      ),
    );
    expect(b.callsTo("load_marketplace_statuses").map((c) => c.args)).toEqual([{ accountId: 1 }]);
    expect(screen.getByText("ZZAP: 2 statuses loaded")).toBeInTheDocument();
    expect(screen.getByTestId("push-dictionary")).not.toHaveTextContent("not loaded yet");
    const input = screen.getByTestId("push-accepted-status");
    expect(suggestions(input)).toEqual(["2", "5"]);
    const names = [...(document.getElementById(input.getAttribute("list") ?? "")?.querySelectorAll("option") ?? [])].map(
      (o) => o.textContent,
    );
    expect(names).toEqual(["Принят в работу", "Отказ поставщика"]);
  });

  it("an Ozon account has no status list to load", async () => {
    withAccounts();
    await openPushes();
    expect(screen.queryByTestId("push-load-statuses")).toBeNull();
  });

  it("sets what acceptance, refusal and each status send, and saves it", async () => {
    const b = withAccounts();
    const user = await openPushes();
    expect(screen.getByTestId("pushes")).toHaveTextContent("Status updates to the marketplace — Shop A");
    expect(b.callsTo("push_settings").map((c) => c.args)).toEqual([{ accountId: 1 }]);
    expect(screen.getByTestId("push-capabilities")).toHaveTextContent(
      "Ozon can set for single lines: «cancel» (cancel); for a whole order: «ship the posting» (ship), «cancel» (cancel). It takes no comments.",
    );
    expect(screen.getByText("No status sends anything yet.")).toBeInTheDocument();

    await user.type(screen.getByTestId("push-accepted-status"), "ship");
    expect(suggestions(screen.getByTestId("push-accepted-status"))).toEqual(["cancel", "ship"]);
    await user.type(screen.getByTestId("push-refusal-status"), "cancel");
    await user.selectOptions(screen.getByTestId("push-buyer-cancel-status"), "6");

    await user.click(screen.getByTestId("pushes-add"));
    await user.selectOptions(within(pushRow(0)).getByTestId("push-status"), "4");
    const market = within(pushRow(0)).getByTestId("push-marketplace-status");
    expect(suggestions(market)).toEqual(["cancel"]);
    await user.selectOptions(within(pushRow(0)).getByTestId("push-level"), "order");
    expect(suggestions(market)).toEqual(["ship", "cancel"]);
    await user.type(market, "ship");
    await user.click(screen.getByTestId("pushes-add"));
    await user.selectOptions(within(pushRow(1)).getByTestId("push-status"), "5");
    await user.selectOptions(within(pushRow(1)).getByTestId("push-level"), "order");
    await user.type(within(pushRow(1)).getByTestId("push-marketplace-status"), "delivered");
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
            { status_id: 5, level: "order", marketplace_status: "delivered", comment: "Заказ {order} доставлен" },
          ],
          incoming: [],
        },
      },
    ]);
    expect(await screen.findByText("Status updates saved")).toBeInTheDocument();

    // What Ozon cannot honour was saved, and is said beside the row it concerns.
    expect(within(pushRow(0)).queryAllByTestId("push-problem")).toHaveLength(0);
    expect(within(pushRow(1)).getAllByTestId("push-problem").map((p) => p.textContent)).toEqual([
      "Ozon cannot set «delivered» for a whole order",
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
    const b = withAccounts();
    b.pushTemplates.set(1, {
      ...emptyTemplates(),
      accepted_status: "delivered",
      refusal_text: "Нет в наличии",
      pushes: [{ status_id: 99, level: "line", marketplace_status: "ship", comment: "" }],
    });
    await openPushes();
    const accepted = screen.getByTestId("push-accepted-status").closest(".push-field") as HTMLElement;
    expect(within(accepted).getByTestId("push-problem")).toHaveTextContent("Ozon cannot set «delivered»");
    const refusal = screen.getByTestId("push-refusal-text").closest(".push-field") as HTMLElement;
    expect(within(refusal).getByTestId("push-problem")).toHaveTextContent(
      "Ozon does not take comments; this text is not sent",
    );
    // Status 99 is not the shop's (any more): the row's problem is still said, not dropped.
    expect(within(pushRow(0)).getByTestId("push-problem")).toHaveTextContent(
      "Ozon cannot set «ship» for single lines",
    );
  });

  it("previews a comment with the account's newest accepted line, or names what has no value yet", async () => {
    const b = withAccounts();
    b.lines.push(acceptedLine(2, "0571-0001-1", "Oil filter"));
    const older = b.lines[0];
    if (older) older.order_created_at = "2026-11-22T08:00:00Z";
    const user = await openPushes();
    expect(screen.getByTestId("push-variables")).toHaveTextContent("{tracking}");
    await waitFor(() => expect(screen.getByTestId("preview-line")).toHaveDisplayValue("0571-0001-1 — Oil filter"));

    await user.click(screen.getByTestId("pushes-add"));
    await user.selectOptions(within(pushRow(0)).getByTestId("push-status"), "2");
    const comment = within(pushRow(0)).getByTestId("push-comment");
    await user.type(comment, "Заказ {{order}: {{name} × {{qty}, статус «{{status}»");
    await user.click(within(pushRow(0)).getByTestId("push-preview"));
    // The text is the engine's: a built-in status the shop did not rename is filled in by its code.
    expect(await within(pushRow(0)).findByTestId("push-preview-text")).toHaveTextContent(
      "Заказ 0571-0001-1: Oil filter × 1, статус «ordered»",
    );
    expect(b.callsTo("preview_template").map((c) => c.args)).toEqual([
      { lineId: 2, statusId: 2, template: "Заказ {order}: {name} × {qty}, статус «{status}»" },
    ]);

    // Editing the text hides a preview of the old one.
    await user.type(comment, ", трек {{tracking}");
    expect(within(pushRow(0)).queryByTestId("push-preview-text")).toBeNull();
    await user.click(within(pushRow(0)).getByTestId("push-preview"));
    expect(await within(pushRow(0)).findByTestId("push-preview-error")).toHaveTextContent("no value yet for: {tracking}");

    // Another line can be chosen; the accepted notice previews with the first "new" status.
    await user.selectOptions(screen.getByTestId("preview-line"), "1");
    await user.type(screen.getByTestId("push-accepted-notice"), "{{order} принят");
    const notice = screen.getByTestId("push-accepted-notice").closest(".push-field") as HTMLElement;
    await user.click(within(notice).getByTestId("push-preview"));
    expect(await within(notice).findByTestId("push-preview-text")).toHaveTextContent("0570-0029-1 принят");
    expect(b.callsTo("preview_template").at(-1)?.args).toEqual({ lineId: 1, statusId: 1, template: "{order} принят" });
  });

  it("without an accepted line, Preview says what it needs", async () => {
    const b = withAccounts();
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
    const b = withAccounts();
    const user = await openPushes();
    await user.type(screen.getByTestId("push-accepted-notice"), "Спасибо, {{buyer}!");
    await user.click(screen.getByTestId("pushes-save"));
    expect(await screen.findByTestId("pushes-error")).toHaveTextContent(
      "Template «Спасибо, {buyer}!»: unknown variable(s): {buyer}",
    );
    expect(screen.getByTestId("pushes-unsaved")).toBeInTheDocument();
    expect(b.pushTemplates.has(1)).toBe(false);
  });
});
