import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api";
import { copyPending } from "../../clipboard";
import { useI18n } from "../../i18n";

/**
 * A Gettzap account's order delivery address: shown with its token hidden; the copy button fetches
 * the full address straight into the clipboard, so the token is never rendered.
 */
export function GettzapIntake({ accountId }: { accountId: number | null }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [copied, setCopied] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const key = ["intake-address", accountId] as const;
  const address = useQuery({
    queryKey: key,
    queryFn: () => api.intakeAddress(accountId as number),
    enabled: accountId != null,
  });
  const copy = useMutation({
    mutationFn: () => copyPending(api.intakeUrl(accountId as number)),
    onMutate: () => setProblem(null),
    onSuccess: () => setCopied(true),
    onError: (e) => setProblem(e.message),
  });
  const rotate = useMutation({
    mutationFn: () => api.rotateIntakeToken(accountId as number),
    onMutate: () => {
      setCopied(false);
      setProblem(null);
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: key }),
    onError: (e) => setProblem(e.message),
  });

  return (
    <fieldset className="intake" data-testid="gettzap-intake">
      <legend>{t.form.intakeTitle}</legend>
      <p className="notice" role="note" data-testid="format-unverified">
        {t.form.formatUnverified}
      </p>
      {accountId == null ? (
        <p className="hint">{t.form.intakeAfterSave}</p>
      ) : (
        <>
          <code data-testid="intake-url">{address.data?.masked_url ?? "…"}</code>
          <span className="hint">{t.form.intakeHint}</span>
          {address.data && !address.data.serving && (
            <span className="hint" data-testid="intake-not-serving">
              {t.form.intakeNotServing}
            </span>
          )}
          <div className="form-actions">
            <button type="button" data-testid="intake-copy" disabled={copy.isPending} onClick={() => copy.mutate()}>
              {copied ? `✓ ${t.form.intakeCopied}` : t.form.intakeCopy}
            </button>
            <button type="button" data-testid="intake-rotate" disabled={rotate.isPending} onClick={() => rotate.mutate()}>
              {t.form.intakeNewToken}
            </button>
          </div>
        </>
      )}
      {problem && (
        <p className="form-problem" role="alert">
          {problem}
        </p>
      )}
    </fieldset>
  );
}
