import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { useNotices } from "../components/Notices";
import { useI18n } from "../i18n";
import { keys } from "../queries";
import { useScreenReady } from "../perf";

export function Welcome({
  onAddAccount,
  onDemoAsked,
  onDemoStarted,
}: {
  onAddAccount: () => void;
  onDemoAsked: () => void;
  onDemoStarted: () => void;
}) {
  const { t } = useI18n();
  useScreenReady("welcome", true);
  const qc = useQueryClient();
  const notices = useNotices();
  const demo = useMutation({
    mutationFn: api.startDemo,
    onSuccess: async () => {
      await Promise.all([
        qc.invalidateQueries({ queryKey: keys.accounts }),
        qc.invalidateQueries({ queryKey: keys.appInfo }),
      ]);
      onDemoStarted();
    },
    onError: (e) => notices.error(e.message),
  });
  return (
    <section className="welcome" data-testid="welcome">
      <h1>{t.welcome.title}</h1>
      <p>{t.welcome.body}</p>
      <div className="welcome-actions">
        <button type="button" className="primary" data-testid="add-account" onClick={onAddAccount}>
          {t.welcome.addAccount}
        </button>
        <button
          type="button"
          data-testid="try-demo"
          disabled={demo.isPending}
          onClick={() => {
            onDemoAsked();
            demo.mutate();
          }}
        >
          {t.welcome.tryDemo}
        </button>
      </div>
      <p className="hint">{t.welcome.demoHint}</p>
    </section>
  );
}
