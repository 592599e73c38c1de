import type { ReactNode } from "react";

/** A labelled input of the order form, with the problem the engine found in it under it. */
export function Field({ label, problem, grow, children }: { label: string; problem?: ReactNode; grow?: boolean; children: ReactNode }) {
  return (
    <label className={grow ? "grow" : undefined}>
      <span>{label}</span>
      {children}
      {problem}
    </label>
  );
}
