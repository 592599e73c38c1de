// Undoing a decision: the engine holds a decision's marketplace calls for 6 s, and for as long the
// notice that reports it offers Undo (its button, or z / Ctrl+Z in the inbox).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { api } from "../api";
import { useNotices } from "../components/Notices";
import { useI18n } from "../i18n";
import { refreshAfterDecision } from "../queries";

/** The id of the Undo button on a decision's notice (its data-testid too). */
export const UNDO = "undo";

/** Reports a decision with Undo on its notice; without lines (nothing held) it is a plain notice. */
export function useDecisionNotice(): (text: string, lines: number[]) => void {
  const { t } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  // The mutation's own callbacks still run when the screen that made the decision is gone.
  const { mutate } = useMutation({
    mutationFn: api.undoTriage,
    onSuccess: (undone) => notices.info(t.undo.undone(undone.length)),
    onError: (e) => notices.error(e.message),
    onSettled: () => refreshAfterDecision(qc),
  });
  return useCallback(
    (text: string, lines: number[]) => {
      if (lines.length === 0) return notices.info(text);
      notices.info(text, { id: UNDO, label: t.undo.undo, run: () => mutate(lines) });
    },
    [notices, t, mutate],
  );
}
