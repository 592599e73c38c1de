import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import { copyPending } from "../clipboard";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";

/**
 * A pre-order's buyer link, copied straight into the clipboard and never rendered (it lets anyone
 * holding it complete the order). Only its digest is kept, so each copy makes a new link and ends
 * the one before.
 */
export function BuyerLink({ orderId }: { orderId: number }) {
  const { t, locale } = useI18n();
  const w = t.cabinet.buyerLink;
  const [copiedUntil, setCopiedUntil] = useState<string | null>(null);
  const copy = useMutation({
    mutationFn: async () => {
      const link = api.preorderLink(orderId);
      await copyPending(link.then((l) => l.url));
      return (await link).expires_at;
    },
    onMutate: () => setCopiedUntil(null),
    onSuccess: (until) => setCopiedUntil(until),
  });
  return (
    <div className="buyer-link" data-testid="buyer-link">
      <button type="button" data-testid="buyer-link-copy" disabled={copy.isPending} onClick={() => copy.mutate()}>
        {w.copy}
      </button>
      {copiedUntil && (
        <span className="hint" data-testid="buyer-link-copied">
          {w.copied(formatDateTime(copiedUntil, locale))}
        </span>
      )}
      {copy.isError && (
        <span className="form-problem" role="alert" data-testid="buyer-link-problem">
          {copy.error.message}
        </span>
      )}
    </div>
  );
}
