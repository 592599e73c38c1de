// How a decided line shows what it was accepted with and who decided it; the inbox, the order
// detail and the rule results all say it the same way.
import type { BoundOffer } from "../bindings/BoundOffer";
import type { OfferView } from "../bindings/OfferView";
import type { RuleDecision } from "../bindings/RuleDecision";
import { formatAmount, formatPrice } from "../format";
import { useI18n } from "../i18n";

/** "BOSCH 0986 · Supplier A": brand and article as the supplier writes them, then the list. */
export function offerName(offer: Pick<OfferView, "brand" | "article" | "list">): string {
  return `${[offer.brand, offer.article].filter((s) => s.trim() !== "").join(" ")} · ${offer.list}`;
}

/** The offer a line was accepted with: which, from which list, at what price and how many. */
export function boundOfferLabel(
  offer: Pick<BoundOffer, "brand" | "article" | "list" | "price" | "quantity">,
  currency: string,
  locale: string,
): string {
  return `${offerName(offer)} · ${formatPrice(offer.price, currency, locale)} × ${offer.quantity}`;
}

export function BoundOfferText({ offer, currency }: { offer: BoundOffer; currency: string }) {
  const { locale } = useI18n();
  const text = boundOfferLabel(offer, currency, locale);
  return (
    <span className="bound-offer" data-testid="bound-offer" title={text}>
      → {text}
    </span>
  );
}

/** An offer in a rule's result (no quantity yet: the line's is used). */
export function OfferLabel({ offer }: { offer: OfferView }) {
  const { locale } = useI18n();
  return (
    <>
      {offerName(offer)} · {formatAmount(offer.price, locale)}
    </>
  );
}

/** Which rule decided the line and what it did. */
export function RuleDecisionText({ decision }: { decision: RuleDecision }) {
  const { t } = useI18n();
  const rule = decision.rule_name ?? "";
  const text =
    decision.type === "accept"
      ? t.decision.accepted(rule)
      : decision.type === "reject"
        ? t.decision.rejected(rule)
        : t.decision.left(rule);
  return (
    <span className={`rule-decision rule-decision-${decision.type}`} data-testid="rule-decision">
      {text}
    </span>
  );
}
