import type { InboxLine } from "../bindings/InboxLine";
import { formatAmount, formatPercent } from "../format";
import { useI18n } from "../i18n";
import { sortOffers } from "../pricelist/offers";
import { useLineOffers } from "../queries";

/** As many as the inbox's detail pane shows without scrolling; `o` shows them all. */
const SHOWN = 5;

/**
 * The current line's candidate offers beside the inbox, cheapest first, the one `a` accepts with
 * marked: what the manager compares before deciding, without opening the offer dialog.
 */
export function LineOffers({ line }: { line: InboxLine }) {
  const { t, locale } = useI18n();
  const matches = useLineOffers(line.line.id);
  const offers = sortOffers(matches.data ?? [], "price");
  const best = line.best_offer?.offer.id;
  return (
    <section className="line-offers" data-testid="line-offers" aria-busy={matches.isLoading}>
      <h3>{t.inbox.candidates}</h3>
      <p className="line-offers-line">{line.line.name}</p>
      {matches.isError && <p className="form-problem">{matches.error.message}</p>}
      {matches.isSuccess && offers.length === 0 && <p className="error-text">{t.inbox.candidatesNone}</p>}
      {offers.length > 0 && (
        <ol>
          {offers.slice(0, SHOWN).map((m) => {
            const negative = m.margin_percent != null && Number(m.margin_percent) < 0;
            return (
              <li
                key={m.offer.id}
                data-testid="line-offer"
                data-offer-id={m.offer.id}
                data-best={m.offer.id === best}
                className={m.offer.id === best ? "best" : undefined}
              >
                <span className="line-offer-head">
                  <span className="muted">{m.offer.list}</span>
                  <strong className="num">{formatAmount(m.offer.price, locale)}</strong>
                </span>
                <span className="muted line-offer-facts">
                  <span>
                    {m.offer.brand} {m.offer.article}
                  </span>
                  {m.offer.stock != null && <span>{t.inbox.offerStock(String(m.offer.stock))}</span>}
                  {m.offer.delivery_days != null && <span>{t.offers.days(m.offer.delivery_days)}</span>}
                  {m.margin_percent != null && (
                    <span className={negative ? "error-text" : undefined}>
                      {t.inbox.offerMargin(formatPercent(m.margin_percent, locale))}
                    </span>
                  )}
                </span>
              </li>
            );
          })}
        </ol>
      )}
      {offers.length > SHOWN && <p className="muted">{t.inbox.candidatesMore(offers.length - SHOWN)}</p>}
      <p className="hint">{t.inbox.candidatesHint}</p>
    </section>
  );
}
