import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { AppError } from "../bindings/AppError";
import type { PreorderLinkView } from "../bindings/PreorderLinkView";
import { serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { BuyerLink } from "./BuyerLink";

const URL = `https://shop.example/preorder/${"ab".repeat(32)}`;

describe("a pre-order's buyer link", () => {
  it("goes straight to the clipboard, never onto the screen, with how long it works", async () => {
    const link: PreorderLinkView = { url: URL, expires_at: "2026-12-10T12:00:00Z" };
    const b = serveRecorded({ answers: [] }, { preorder_link: () => link });
    const user = userEvent.setup();
    renderWithProviders(<BuyerLink orderId={7} />);
    await user.click(screen.getByTestId("buyer-link-copy"));
    expect(await screen.findByTestId("buyer-link-copied")).toHaveTextContent("Copying again makes a new link");
    expect(await navigator.clipboard.readText()).toBe(URL);
    expect(b.callsTo("preorder_link").map((c) => c.args)).toEqual([{ id: 7 }]);
    expect(document.body.textContent).not.toContain("ab".repeat(32));
  });

  it("says what the link needs when the intake has no public address", async () => {
    const refused: AppError = {
      code: "invalid_input",
      message: "A buyer link needs the order intake switched on with a public address (Settings → Order intake)",
      words: { kind: "preorder_link_needs_intake" },
    };
    serveRecorded({ answers: [] }, { preorder_link: () => Promise.reject(refused) });
    const user = userEvent.setup();
    renderWithProviders(<BuyerLink orderId={7} />);
    await user.click(screen.getByTestId("buyer-link-copy"));
    expect(await screen.findByTestId("buyer-link-problem")).toHaveTextContent("public address");
  });
});
