// The engine's comment templates and status-push checks, ported for the test backend so the UI is
// tested against the same refusals and problems the Rust side produces (core/src/templates.rs).
import type { MarketplaceStatus } from "../bindings/MarketplaceStatus";
import type { PushCapabilities } from "../bindings/PushCapabilities";
import type { PushLevel } from "../bindings/PushLevel";
import type { PushProblem } from "../bindings/PushProblem";
import type { PushTemplates } from "../bindings/PushTemplates";
import type { ShopStatus } from "../bindings/ShopStatus";
import type { TemplateError } from "../bindings/TemplateError";

export const VARIABLES = ["order", "line", "brand", "article", "name", "qty", "price", "status", "tracking", "reason"];

/** What Ozon takes (connectors::push_capabilities): single products cancelled, whole postings shipped or cancelled. */
export const OZON_CAPABILITIES: PushCapabilities = {
  line_statuses: ["cancel"],
  order_statuses: ["ship", "cancel"],
  comments: false,
  labels: {},
};

/** As core's `PushCapabilities::from_dictionary`: every code at both levels, named by the list. */
export function dictionaryCapabilities(list: readonly MarketplaceStatus[]): PushCapabilities {
  const codes = list.map((s) => s.code);
  return {
    line_statuses: codes,
    order_statuses: [...codes],
    comments: true,
    labels: Object.fromEntries(list.map((s) => [s.code, s.name])),
  };
}

export function emptyTemplates(): PushTemplates {
  return {
    accepted_status: "",
    accepted_notice: "",
    refusal_status: "",
    refusal_text: "",
    buyer_cancel_status_id: null,
    incoming: [],
    pushes: [],
  };
}

/** The engine's wording of a template error (its Display). */
export function templateErrorText(e: TemplateError): string {
  const braces = (names: string[]) => names.map((n) => `{${n}}`).join(", ");
  const parts: string[] = [];
  if (e.unknown.length > 0) parts.push(`unknown variable(s): ${braces(e.unknown)}`);
  if (e.missing.length > 0) parts.push(`no value yet for: ${braces(e.missing)}`);
  if (e.unbalanced_at != null) parts.push(`unbalanced brace at character ${e.unbalanced_at + 1}`);
  return parts.join("; ");
}

type Piece = { text: string } | { variable: string };

/** Text and variables; `{{` and `}}` are literal braces. A number is where a brace has no pair. */
function pieces(template: string): Piece[] | number {
  const out: Piece[] = [];
  let i = 0;
  while (i < template.length) {
    const rest = template.slice(i);
    const at = rest.search(/[{}]/);
    if (at < 0) {
      out.push({ text: rest });
      break;
    }
    if (at > 0) out.push({ text: rest.slice(0, at) });
    const tail = rest.slice(at);
    if (tail.startsWith("{{") || tail.startsWith("}}")) {
      out.push({ text: tail[0] ?? "" });
      i += at + 2;
      continue;
    }
    if (tail.startsWith("}")) return i + at;
    const close = tail.indexOf("}");
    if (close < 0) return i + at;
    const name = tail.slice(1, close);
    if (name.includes("{")) return i + at;
    out.push({ variable: name.trim() });
    i += at + close + 1;
  }
  return out;
}

export function checkTemplate(template: string): TemplateError | null {
  const parsed = pieces(template);
  if (typeof parsed === "number") return { unknown: [], missing: [], unbalanced_at: parsed };
  const unknown = parsed.flatMap((p) => ("variable" in p && !VARIABLES.includes(p.variable) ? [p.variable] : []));
  return unknown.length > 0 ? { unknown, missing: [], unbalanced_at: null } : null;
}

export function renderTemplate(template: string, values: Record<string, string>): string | TemplateError {
  const bad = checkTemplate(template);
  if (bad) return bad;
  const missing: string[] = [];
  let out = "";
  for (const p of pieces(template) as Piece[]) {
    if ("text" in p) {
      out += p.text;
      continue;
    }
    const value = values[p.variable];
    if (value != null && value.trim() !== "") out += value;
    else if (!missing.includes(p.variable)) missing.push(p.variable);
  }
  return missing.length > 0 ? { unknown: [], missing, unbalanced_at: null } : out;
}

function can(caps: PushCapabilities, level: PushLevel | null, status: string): boolean {
  const line = caps.line_statuses.includes(status);
  const order = caps.order_statuses.includes(status);
  return level === "line" ? line : level === "order" ? order : line || order;
}

export function pushProblems(t: PushTemplates, caps: PushCapabilities): PushProblem[] {
  const out: PushProblem[] = [];
  const status = (status_id: number | null, level: PushLevel | null, marketplace_status: string) => {
    if (marketplace_status !== "" && !can(caps, level, marketplace_status)) {
      out.push({ type: "unsupported_status", status_id, marketplace_status });
    }
  };
  status(null, null, t.accepted_status);
  status(null, null, t.refusal_status);
  for (const p of t.pushes) status(p.status_id, p.level, p.marketplace_status);
  const texts: [number | null, string][] = [
    [null, t.accepted_notice],
    [null, t.refusal_text],
    ...t.pushes.map((p): [number, string] => [p.status_id, p.comment]),
  ];
  for (const [status_id, text] of texts) {
    if (text.trim() === "") continue;
    const error = checkTemplate(text);
    if (error) out.push({ type: "bad_template", status_id, error });
    else if (!caps.comments) out.push({ type: "no_comments", status_id });
  }
  return out;
}

export function statusLabel(s: ShopStatus): string {
  return s.name.trim() === "" ? (s.code ?? "") : s.name;
}

/** The order as a whole is in S when every live line is (refused and removed lines do not count). */
export function orderStatus(lines: [number, ShopStatus["group"]][]): number | null {
  const out = (g: ShopStatus["group"]) => g === "refused" || g === "removed";
  const active = lines.filter(([, g]) => !out(g)).map(([id]) => id);
  const first = active[0];
  if (first !== undefined) return active.every((id) => id === first) ? first : null;
  return (lines.find(([, g]) => g === "refused") ?? lines[0])?.[0] ?? null;
}
