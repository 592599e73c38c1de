import { describe, expect, it } from "vitest";
import type { AppError } from "../bindings/AppError";
import type { ErrorWords } from "../bindings/ErrorWords";
import { toApiError } from "../ipcCall";
import samples from "../test/fixtures/error_words.json";
import { errorCatalogs, errorText, setErrorLanguage, wordsText } from "./errors";

/** One engine error of every kind, as the engine sends it (written by core/tests/error_words_fixture.rs). */
const recorded = samples as unknown as AppError[];

describe("engine errors", () => {
  it("has a recorded sample of every kind the catalogs word", () => {
    const sampled = new Set(recorded.map((e) => e.words?.kind));
    for (const [lang, c] of Object.entries(errorCatalogs)) {
      expect([...sampled].sort(), lang).toEqual(Object.keys(c.kinds).sort());
    }
  });

  it("words every kind in Russian and Polish, with its arguments and nothing unfilled", () => {
    for (const lang of ["ru", "pl"] as const) {
      for (const e of recorded) {
        const text = errorText(e.words, e.message, lang);
        expect(text, `${lang} ${e.words?.kind}`).not.toBe(e.message);
        expect(text, `${lang} ${e.words?.kind}`).not.toMatch(/undefined|null|\[object|NaN/);
        expect(text.trim().length, `${lang} ${e.words?.kind}`).toBeGreaterThan(5);
      }
    }
  });

  it("keeps the engine's own English and the marketplace's text as it came", () => {
    const auth = recorded.find((e) => e.words?.kind === "marketplace_auth");
    if (!auth) throw new Error("no marketplace_auth sample");
    expect(errorText(auth.words, auth.message, "en")).toBe(auth.message);
    expect(errorText(auth.words, auth.message, "ru")).toBe("Авторизация не удалась: Invalid Api-Key");
  });

  it("names a field in the manager's language when it knows the field, else by the engine's label", () => {
    const time: ErrorWords = {
      kind: "bad_format",
      field: "sync_start_time",
      label: "Sync start time",
      value: "25:00",
      format: "time24h",
    };
    expect(errorText(time, "x", "ru")).toBe(
      "Время начала синхронизации: значение должно быть в формате ЧЧ:ММ (24 часа), а «25:00» — нет",
    );
    expect(errorText({ ...time, field: "vendor_field", label: "Vendor-Id" }, "x", "ru")).toMatch(/^Vendor-Id: /);
  });

  it("words a shop's time zone the engine does not know", () => {
    const zone: ErrorWords = {
      kind: "bad_format",
      field: "timezone",
      label: "Shop time zone",
      value: "Europe/Atlantis",
      format: "time_zone",
    };
    expect(errorText(zone, "x", "ru")).toBe(
      "Часовой пояс магазина: значение должно быть названием часового пояса, например Europe/Kyiv, а «Europe/Atlantis» — нет",
    );
    expect(errorText(zone, "x", "pl")).toBe(
      "Strefa czasowa sklepu: wartość musi być nazwą strefy czasowej, np. Europe/Kyiv, a «Europe/Atlantis» nie jest",
    );
  });

  it("words a Shopify API version that is not a dated one", () => {
    const version: ErrorWords = {
      kind: "bad_format",
      field: "api_version",
      label: "API version",
      value: "latest",
      format: "api_version",
    };
    expect(errorText(version, "x", "ru")).toBe(
      "Версия API: значение должно быть датированной версией API, например 2025-10, а «latest» — нет",
    );
    expect(errorText(version, "x", "pl")).toBe(
      "Wersja API: wartość musi być datowaną wersją API, np. 2025-10, a «latest» nie jest",
    );
  });

  it("names an Amazon account's marketplace ID and token address", () => {
    const marketplace: ErrorWords = {
      kind: "bad_format",
      field: "marketplace_id",
      label: "Marketplace ID",
      value: "A1 PA",
      format: "marketplace_id",
    };
    expect(errorText(marketplace, "x", "ru")).toMatch(/^Идентификатор маркетплейса \(Marketplace ID\): .*«A1 PA»/);
    expect(errorText(marketplace, "x", "pl")).toMatch(/^Identyfikator rynku \(Marketplace ID\): .*«A1 PA»/);
    const token: ErrorWords = {
      kind: "bad_format",
      field: "token_url",
      label: "Token address",
      value: "http://tokens.example",
      format: "secure_web_address",
    };
    expect(errorText(token, "x", "ru")).toMatch(/^Адрес получения токена: значение должно быть адресом https:\/\//);
    expect(errorText(token, "x", "pl")).toMatch(/^Adres pobierania tokenu: wartość musi być adresem https:\/\//);
  });

  it("shows the English message of an error without words or of a kind this version does not know", () => {
    expect(errorText(null, "keychain task failed", "ru")).toBe("keychain task failed");
    const future = { kind: "from_a_later_version", x: 1 } as unknown as ErrorWords;
    expect(errorText(future, "Something new", "ru")).toBe("Something new");
  });

  it("words a notice sent without a message as the engine words it in English, and in Russian and Polish", () => {
    const paused = recorded.find((e) => e.words?.kind === "webhooks_disabled");
    if (!paused?.words) throw new Error("no webhooks_disabled sample");
    expect(wordsText(paused.words, "en")).toBe(paused.message);
    expect(wordsText(paused.words, "ru")).toBe(errorText(paused.words, paused.message, "ru"));
    expect(wordsText(paused.words, "pl")).toMatch(/^Market wstrzymał webhooki/);
    // A kind with no English here still says what it is.
    expect(wordsText({ kind: "disk_full" }, "en")).toBe("disk full");
  });

  it("words an error the IPC layer rejects with in the UI's language", () => {
    const tooMany = recorded.find((e) => e.words?.kind === "too_many_pages");
    if (!tooMany) throw new Error("no too_many_pages sample");
    try {
      setErrorLanguage("ru");
      expect(toApiError(tooMany).message).toBe("Market продолжал отдавать страницы; остановлено после 1000");
      setErrorLanguage("en");
      expect(toApiError(tooMany).message).toBe(tooMany.message);
    } finally {
      setErrorLanguage("en");
    }
  });
});
