import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { Lang } from "../bindings/Lang";
import { en, type Messages } from "./en";
import { setErrorLanguage } from "./errors";
import { pl } from "./pl";
import { ru } from "./ru";

export const catalogs: Record<Lang, Messages> = { en, ru, pl };
export const languages: { lang: Lang; label: string }[] = [
  { lang: "en", label: "English" },
  { lang: "ru", label: "Русский" },
  { lang: "pl", label: "Polski" },
];

const STORAGE_KEY = "ordertray.lang";
/** Number, money and date formats per language. */
const LOCALES: Record<Lang, string> = { en: "en-GB", ru: "ru-RU", pl: "pl-PL" };

export function initialLang(): Lang {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (saved && saved in catalogs) return saved as Lang;
  const os = globalThis.navigator?.language?.toLowerCase() ?? "";
  return languages.find((l) => os.startsWith(l.lang))?.lang ?? "en";
}

type I18n = { lang: Lang; t: Messages; setLang: (lang: Lang) => void; locale: string };
const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  // Errors are worded where they are made, outside React: in the language being rendered.
  setErrorLanguage(lang);
  const setLang = useCallback((next: Lang) => {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
    setLangState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo(
    () => ({ lang, t: catalogs[lang], setLang, locale: LOCALES[lang] }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error("useI18n outside I18nProvider");
  return ctx;
}
