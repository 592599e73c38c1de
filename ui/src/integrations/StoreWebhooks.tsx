import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import { copyPending } from "../clipboard";
import { useI18n } from "../i18n";

export type WebhookPlatform = "woocommerce" | "shopify";

/**
 * A store's webhooks: the address it delivers orders to (signed deliveries: the address holds no
 * token, so it is shown as is) and how to set them up. WooCommerce signs with a secret Ordertray
 * made: it is copied straight to the clipboard and never rendered. Shopify signs with the app's
 * client secret, which the manager already has. `unavailable`: why this account cannot take
 * webhooks as set up, said instead of the address.
 */
export function StoreWebhooks({
  accountId,
  platform,
  unavailable = null,
}: {
  accountId: number | null;
  platform: WebhookPlatform;
  unavailable?: string | null;
}) {
  const { t } = useI18n();
  const words = t.form.webhooks;
  return (
    <fieldset className="intake" data-testid="store-webhooks">
      <legend>{words.title}</legend>
      <p className="hint">{words.why}</p>
      <p className="hint">{words.needsIntake}</p>
      {unavailable != null ? (
        <p className="warning" role="note" data-testid="webhooks-unavailable">
          {unavailable}
        </p>
      ) : accountId == null ? (
        <p className="hint">{words.afterSave}</p>
      ) : (
        <WebhookAddress accountId={accountId} platform={platform} />
      )}
    </fieldset>
  );
}

function WebhookAddress({ accountId, platform }: { accountId: number; platform: WebhookPlatform }) {
  const { t } = useI18n();
  const words = t.form.webhooks;
  const qc = useQueryClient();
  // One "copied" mark at a time: it says what the clipboard holds now.
  const [copied, setCopied] = useState<"url" | "secret" | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // The key Gettzap's intake uses too: one account, one address.
  const key = ["intake-address", accountId] as const;
  const address = useQuery({ queryKey: key, queryFn: () => api.intakeAddress(accountId) });
  const copy = useMutation({
    mutationFn: (what: "url" | "secret") =>
      copyPending(what === "url" ? api.intakeUrl(accountId) : api.webhookSecret(accountId)),
    onMutate: () => {
      setCopied(null);
      setProblem(null);
    },
    onSuccess: (_done, what) => setCopied(what),
    onError: (e) => setProblem(e.message),
  });
  const rotate = useMutation({
    mutationFn: () => api.rotateIntakeToken(accountId),
    onMutate: () => {
      // A copied secret is the old one now.
      setCopied(null);
      setProblem(null);
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: key }),
    onError: (e) => setProblem(e.message),
  });
  const failure = problem ?? (address.isError ? address.error.message : null);

  return (
    <>
      <code data-testid="webhook-url">{address.data?.masked_url ?? "…"}</code>
      {address.data && !address.data.serving && (
        <p className="warning" data-testid="webhook-not-serving">
          {words.notServing}
        </p>
      )}
      <p className="hint">{platform === "woocommerce" ? words.wooSteps : words.shopifySteps}</p>
      <div className="form-actions">
        <button type="button" data-testid="webhook-copy-url" disabled={copy.isPending} onClick={() => copy.mutate("url")}>
          {copied === "url" ? `✓ ${words.copied}` : words.copyUrl}
        </button>
        {platform === "woocommerce" && (
          <>
            <button
              type="button"
              data-testid="webhook-copy-secret"
              disabled={copy.isPending || rotate.isPending}
              onClick={() => copy.mutate("secret")}
            >
              {copied === "secret" ? `✓ ${words.copied}` : words.copySecret}
            </button>
            <button
              type="button"
              data-testid="webhook-new-secret"
              disabled={rotate.isPending}
              onClick={() => rotate.mutate()}
            >
              {words.newSecret}
            </button>
          </>
        )}
      </div>
      {platform === "woocommerce" && <p className="hint">{words.newSecretWarning}</p>}
      {failure && (
        <p className="form-problem" role="alert">
          {failure}
        </p>
      )}
    </>
  );
}
