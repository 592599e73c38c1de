/** Russian plural forms: one (1, 21…), few (2–4, 22–24…), many (0, 5–20, 11–14…). */
export function ruPlural(n: number, one: string, few: string, many: string): string {
  const mod10 = Math.abs(n) % 10;
  const mod100 = Math.abs(n) % 100;
  if (mod10 === 1 && mod100 !== 11) return one;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}

export function enPlural(n: number, one: string, other: string): string {
  return n === 1 ? one : other;
}

/** Polish: one (1 only), few (2–4, 22–24…, not 12–14), many (0, 5–21, 25…). */
export function plPlural(n: number, one: string, few: string, many: string): string {
  const abs = Math.abs(n);
  if (abs === 1) return one;
  const mod10 = abs % 10;
  const mod100 = abs % 100;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}
