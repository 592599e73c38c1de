import { useI18n } from "../i18n";

export function KeyHelp({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const rows: [string, string][] = [
    ["j / k, ↓ / ↑", t.keys.move],
    ["J / K", t.keys.nextOrder],
    ["x, Space", t.keys.select],
    ["*", t.keys.selectAll],
    ["a", t.keys.accept],
    ["r", t.keys.reject],
    ["Delete, #", t.keys.delete],
    ["u", t.keys.restore],
    ["o", t.keys.offer],
    ["z, Ctrl+Z", t.keys.undo],
    ["Enter", t.keys.open],
    ["/", t.keys.search],
    ["Esc", t.keys.escape],
    ["?", t.keys.help],
  ];
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-modal="true" aria-label={t.keys.title} onClick={(e) => e.stopPropagation()}>
        <h2>{t.keys.title}</h2>
        <table>
          <tbody>
            {rows.map(([k, what]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" onClick={onClose} autoFocus>
          {t.common.close}
        </button>
      </div>
    </div>
  );
}
