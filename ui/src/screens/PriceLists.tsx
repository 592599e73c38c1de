import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useDeferredValue, useState } from "react";
import { api } from "../api";
import type { PriceListView } from "../bindings/PriceListView";
import { ConfirmButton } from "../components/ConfirmButton";
import { useNotices } from "../components/Notices";
import { formatAmount, formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { keys, useOfferSearch, usePriceLists } from "../queries";
import { PriceListImport } from "./PriceListImport";
import { useScreenReady } from "../perf";

/** Suppliers' price lists: what is loaded, loading a file, and finding an offer in them. */
export function PriceLists() {
  const { t } = useI18n();
  // Re-import remounts the import form with that list's name; the counter makes a second click count.
  const [reimport, setReimport] = useState<{ list: PriceListView; n: number } | null>(null);
  return (
    <section className="price-lists" data-testid="price-lists">
      <header className="screen-header">
        <h1>{t.priceLists.title}</h1>
      </header>
      <PriceListTable onReimport={(list) => setReimport((r) => ({ list, n: (r?.n ?? 0) + 1 }))} />
      <PriceListImport key={reimport?.n ?? 0} reimport={reimport?.list ?? null} />
      <OfferSearch />
    </section>
  );
}

function PriceListTable({ onReimport }: { onReimport: (list: PriceListView) => void }) {
  const { t, locale } = useI18n();
  const lists = usePriceLists();
  useScreenReady("pricelists", lists.isSuccess);
  if (lists.isError) return <p className="form-problem">{lists.error.message}</p>;
  if (lists.data?.length === 0) return <p className="hint screen-text">{t.priceLists.empty}</p>;
  const c = t.priceLists.columns;
  return (
    <table className="grid" data-testid="pricelist-table">
      <thead>
        <tr>
          <th>{c.name}</th>
          <th className="num">{c.offers}</th>
          <th className="num">{c.rowsRead}</th>
          <th className="num">{c.rejected}</th>
          <th>{c.source}</th>
          <th>{c.importedAt}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {lists.data?.map((list) => (
          <tr key={list.id} data-testid="pricelist-row" data-list-id={list.id}>
            <td>{list.name}</td>
            <td className="num">{list.offers}</td>
            <td className="num">{list.rows_read}</td>
            <td className={list.rows_rejected > 0 ? "num warning" : "num"}>{list.rows_rejected}</td>
            <td className="muted">{list.source}</td>
            <td className="muted">{formatDateTime(list.imported_at, locale)}</td>
            <td className="row-actions">
              <button type="button" data-testid="pricelist-reimport" onClick={() => onReimport(list)}>
                {t.priceLists.reimport}
              </button>
              <DeleteListButton list={list} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DeleteListButton({ list }: { list: PriceListView }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const remove = useMutation({
    mutationFn: () => api.deletePriceList(list.id),
    onSuccess: () => notices.info(t.priceLists.deleted(list.name)),
    onError: (e) => notices.error(e.message),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: keys.priceLists }),
        qc.invalidateQueries({ queryKey: keys.offersAll }),
      ]),
  });
  return (
    <ConfirmButton
      testId="pricelist-delete"
      question={t.priceLists.confirmDelete(list.name)}
      disabled={remove.isPending}
      onConfirm={() => remove.mutate()}
    >
      {t.priceLists.delete}
    </ConfirmButton>
  );
}

/** Full-text search over every list's offers. */
function OfferSearch() {
  const { t, locale } = useI18n();
  const [text, setText] = useState("");
  // Typing stays fluid: the search follows the text at its own pace.
  const deferred = useDeferredValue(text);
  const found = useOfferSearch(deferred, 100);
  const c = t.offers.columns;
  return (
    <div className="panel-section">
      <h2>{t.offers.search}</h2>
      <label className="inline">
        <span className="sr-only">{t.offers.search}</span>
        <input
          type="search"
          data-testid="offer-search"
          className="wide"
          value={text}
          placeholder={t.offers.searchPlaceholder}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      {text.trim().length > 0 && text.trim().length < 2 && <p className="hint">{t.offers.searchHint}</p>}
      {found.isError && <p className="form-problem">{found.error.message}</p>}
      {found.data?.length === 0 && <p className="hint">{t.offers.noResults}</p>}
      {found.data && found.data.length > 0 && (
        <table className="grid" data-testid="offer-results">
          <thead>
            <tr>
              <th>{c.brand}</th>
              <th>{c.article}</th>
              <th>{c.name}</th>
              <th>{c.list}</th>
              <th className="num">{c.price}</th>
              <th className="num">{c.stock}</th>
              <th className="num">{c.delivery}</th>
              <th>{c.supplier}</th>
            </tr>
          </thead>
          <tbody>
            {found.data.map((o) => (
              <tr key={o.id} data-testid="offer-result">
                <td>{o.brand}</td>
                <td>{o.article}</td>
                <td>{o.name}</td>
                <td className="muted">{o.list}</td>
                <td className="num">{formatAmount(o.price, locale)}</td>
                <td className="num">{o.stock ?? ""}</td>
                <td className="num">{o.delivery_days == null ? "" : t.offers.days(o.delivery_days)}</td>
                <td className="muted">{o.supplier}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
