// Light, dark or the OS's choice. A display preference of this window, so it lives with the
// window's other view state (localStorage), not in the database.
export type Theme = "system" | "light" | "dark";

const KEY = "ordertray.theme";

export function savedTheme(): Theme {
  const v = globalThis.localStorage?.getItem(KEY);
  return v === "light" || v === "dark" ? v : "system";
}

export function applyTheme(theme: Theme): void {
  if (theme === "system") {
    delete document.documentElement.dataset.theme;
    localStorage.removeItem(KEY);
  } else {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(KEY, theme);
  }
}
