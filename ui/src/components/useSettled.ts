import { useEffect, useState } from "react";

/**
 * `value` once it has stayed the same for `ms`: a pane that follows a cursor reads and draws only
 * where the cursor rests, not every row a held key passes over.
 */
export function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    if (Object.is(value, settled)) return;
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms, settled]);
  return settled;
}
