import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import { ApiError, api, toApiError } from "./api";

describe("api", () => {
  it("turns the engine's {code, message} into an ApiError", async () => {
    mockIPC(() => {
      throw { code: "auth", message: "Ozon refused the Client-Id and Api-Key" };
    });
    const err = await api.listAccounts().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "auth", message: "Ozon refused the Client-Id and Api-Key" });
  });

  it("turns anything else into an ipc ApiError with its text", () => {
    expect(toApiError("command not allowed")).toMatchObject({ code: "ipc", message: "command not allowed" });
    expect(toApiError(new Error("boom"))).toMatchObject({ code: "ipc", message: "boom" });
  });

  it("sends secrets only when given and by their keychain field name", async () => {
    const seen: unknown[] = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return { ok: true, message: "ok", expires_at: null };
    });
    const draft = {
      name: "A",
      region: "",
      active: true,
      interval_secs: 60,
      base_url: null,
      settings: {
        kind: "ozon" as const,
        client_id: "1",
        cancel_reason_id: 352,
        cancel_reason_message: "",
        ship_on_accept: true,
        api_key_env: null,
      },
    };
    await api.testConnection(draft, {}, 3);
    await api.testConnection(draft, { api_key: "k" }, null);
    expect(seen).toEqual([
      ["test_connection", { draft, secrets: {}, id: 3 }],
      ["test_connection", { draft, secrets: { api_key: "k" }, id: null }],
    ]);
  });
});
