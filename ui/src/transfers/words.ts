// A transfer's words: the target's refusal and the reasons a sending asks first. Text only.
import type { Lang } from "../bindings/Lang";
import type { TransferView } from "../bindings/TransferView";
import type { TransferWarning } from "../bindings/TransferWarning";
import type { Messages } from "../i18n/en";
import { errorText, wordsText } from "../i18n/errors";

/** The last error in the manager's language; the target's own words (its `detail`) stay as it said them. */
export function transferErrorText(x: Pick<TransferView, "last_error" | "last_error_words">, lang: Lang): string {
  if (x.last_error != null) return errorText(x.last_error_words, x.last_error, lang);
  return x.last_error_words ? wordsText(x.last_error_words, lang) : "";
}

/** Why an order is held back before sending, in words. */
export function concernText(w: TransferWarning, t: Messages): string {
  const words = t.cabinet.transfers;
  switch (w.reason.type) {
    case "ships_twice":
      return words.shipsTwice(w.number, w.reason.other);
    case "not_paid":
      return words.notPaid(w.number);
  }
}
