// Engine errors worded in the manager's language. The engine sends (and stores) each error as a
// code (`kind`) with plain arguments (`words`) beside its English `message`, which is the English
// wording (core/src/error_words.rs); each other language's catalog in ./errors/ words every kind.
// Errors without words (internal faults, rows written before errors had them) and kinds this
// version does not know show the English message. Text only: React escapes it.
import type { ErrorWords } from "../bindings/ErrorWords";
import type { Lang } from "../bindings/Lang";
import type { Thing } from "../bindings/Thing";
import type { ValueFormat } from "../bindings/ValueFormat";
import { plErrors } from "./errors/pl";
import { ruErrors } from "./errors/ru";

export type ErrorKind = ErrorWords["kind"];
export type ErrorOf<K extends ErrorKind> = Extract<ErrorWords, { kind: K }>;

/** One language's words for every kind of error. */
export type ErrorCatalog = {
  kinds: { [K in ErrorKind]: (e: ErrorOf<K>, c: ErrorCatalog) => string };
  /** A thing's name, alone ("order") and for several ("orders"). */
  things: Record<Thing, { one: string; many: string }>;
  formats: Record<ValueFormat, string>;
  /** Words for the fields errors name (settings keys); others keep the engine's English label. */
  fields: Partial<Record<string, string>>;
};

export const errorCatalogs: Record<Exclude<Lang, "en">, ErrorCatalog> = { ru: ruErrors, pl: plErrors };

// The language errors are worded in: set by the I18nProvider, read where an error is made
// (outside React, in the IPC layer).
let current: Lang = "en";

export function setErrorLanguage(lang: Lang): void {
  current = lang;
}

type AnyWording = (e: never, c: ErrorCatalog) => string;

/** The error in `lang` (default: the UI's language), else its English message. */
export function errorText(
  words: ErrorWords | null | undefined,
  message: string,
  lang: Lang = current,
): string {
  if (words == null || lang === "en") return message;
  const c = errorCatalogs[lang];
  const kinds = c.kinds as Record<string, AnyWording | undefined>;
  const word = Object.prototype.hasOwnProperty.call(kinds, words.kind) ? kinds[words.kind] : undefined;
  if (word == null) return message;
  try {
    return word(words as never, c);
  } catch {
    return message;
  }
}

/**
 * English for the kinds the engine sends as words alone, with no English message beside them (an
 * account health's notice): the engine's own wording (core/src/error_words.rs), which errors.test.ts
 * holds these to.
 */
const englishWordsOnly: { [K in ErrorKind]?: (e: ErrorOf<K>) => string } = {
  webhooks_disabled: (e) =>
    `${e.marketplace} paused its webhooks after failed deliveries (${e.names}): orders still come by polling; set them Active again in ${e.marketplace} once the intake address is reachable`,
};

/** Words sent without a message, in `lang` (default: the UI's language). */
export function wordsText(words: ErrorWords, lang: Lang = current): string {
  const english = englishWordsOnly[words.kind] as ((e: never) => string) | undefined;
  // A kind this version has no English for still says what it is rather than nothing.
  const message = english ? english(words as never) : words.kind.replace(/_/g, " ");
  return errorText(words, message, lang);
}
