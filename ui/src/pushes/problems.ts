// Where each problem the engine found in an account's status pushes belongs on screen. Pure, so the
// matching is tested without a DOM. Problems come from the saved settings; matching them by content
// keeps each beside the row it concerns while rows are moved, and drops it once the row is fixed.
import type { PushCapabilities } from "../bindings/PushCapabilities";
import type { PushProblem } from "../bindings/PushProblem";
import type { PushTemplates } from "../bindings/PushTemplates";
import type { StatusPush } from "../bindings/StatusPush";

/** The settings that are not a per-status row. */
export type TemplateField = "accepted_status" | "accepted_notice" | "refusal_status" | "refusal_text";

const hasText = (s: string) => s.trim() !== "";

/** The same problem can be reported twice (two texts, one fault): each is said once. */
function unique(problems: PushProblem[]): PushProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = JSON.stringify(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function concernsPush(p: PushProblem, push: StatusPush, caps: PushCapabilities): boolean {
  if (p.status_id !== push.status_id) return false;
  switch (p.type) {
    case "unsupported_status": {
      // One status can have a line row and an order row: the fault is the one whose level lacks it.
      const allowed = push.level === "line" ? caps.line_statuses : caps.order_statuses;
      return p.marketplace_status === push.marketplace_status && !allowed.includes(push.marketplace_status);
    }
    case "no_level":
      return p.level === push.level;
    case "no_comments":
    case "bad_template":
      return hasText(push.comment);
  }
}

export function concernsField(p: PushProblem, field: TemplateField, t: PushTemplates): boolean {
  if (p.status_id != null) return false;
  switch (field) {
    case "accepted_status":
    case "refusal_status":
      return p.type === "unsupported_status" && t[field] !== "" && p.marketplace_status === t[field];
    case "accepted_notice":
    case "refusal_text":
      return (p.type === "no_comments" || p.type === "bad_template") && hasText(t[field]);
  }
}

export function pushProblemsOf(problems: PushProblem[], push: StatusPush, caps: PushCapabilities): PushProblem[] {
  return unique(problems.filter((p) => concernsPush(p, push, caps)));
}

export function fieldProblemsOf(problems: PushProblem[], field: TemplateField, t: PushTemplates): PushProblem[] {
  return unique(problems.filter((p) => concernsField(p, field, t)));
}

const FIELDS: TemplateField[] = ["accepted_status", "accepted_notice", "refusal_status", "refusal_text"];

/** Problems of the saved settings that no field or row shows (e.g. about a status since removed). */
export function unplaced(problems: PushProblem[], saved: PushTemplates, caps: PushCapabilities): PushProblem[] {
  return unique(
    problems.filter(
      (p) => !FIELDS.some((f) => concernsField(p, f, saved)) && !saved.pushes.some((push) => concernsPush(p, push, caps)),
    ),
  );
}
