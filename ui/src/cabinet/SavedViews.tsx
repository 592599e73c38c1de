import { useState } from "react";
import { useNotices } from "../components/Notices";
import { useI18n } from "../i18n";
import { deleteView, loadSavedViews, parseView, saveView, type CabinetView } from "./viewState";

/** Named views (filters and sort) kept on this computer; choosing one opens it. */
export function SavedViews({ current, onOpen }: { current: CabinetView; onOpen: (view: CabinetView) => void }) {
  const { t } = useI18n();
  const v = t.cabinet.views;
  const notices = useNotices();
  const [views, setViews] = useState(loadSavedViews);
  const [chosen, setChosen] = useState("");
  const [name, setName] = useState("");
  return (
    <div className="saved-views" role="group" aria-label={v.label}>
      <select
        data-testid="cabinet-views"
        aria-label={v.label}
        value={chosen}
        onChange={(e) => {
          setChosen(e.target.value);
          const view = views.find((x) => x.name === e.target.value);
          if (view) {
            setName(view.name);
            onOpen(parseView(view.view));
          }
        }}
      >
        <option value="">{v.choose}</option>
        {views.map((x) => (
          <option key={x.name} value={x.name}>
            {x.name}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="link"
        data-testid="cabinet-view-delete"
        disabled={chosen === ""}
        onClick={() => {
          setViews(deleteView(views, chosen));
          setChosen("");
        }}
      >
        {v.remove}
      </button>
      <input
        data-testid="cabinet-view-name"
        aria-label={v.name}
        placeholder={v.namePlaceholder}
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <button
        type="button"
        data-testid="cabinet-view-save"
        disabled={name.trim() === ""}
        onClick={() => {
          setViews(saveView(views, name, current));
          setChosen(name.trim());
          notices.info(v.saved(name.trim()));
        }}
      >
        {v.save}
      </button>
    </div>
  );
}
