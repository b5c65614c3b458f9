import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { en, type MessageKey } from "./en";
import { fr } from "./fr";

export type Lang = "en" | "fr";
const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, fr };
const LOCALES: Record<Lang, string> = { en: "en-GB", fr: "fr-DZ" };

// Only the language choice is stored (per user once signed in); never a token.
const storageKey = (userId?: string) => (userId ? `crm.lang.${userId}` : "crm.lang");

export function storedLang(userId?: string): Lang | null {
  try {
    const v = localStorage.getItem(storageKey(userId));
    return v === "en" || v === "fr" ? v : null;
  } catch {
    return null;
  }
}

function initialLang(): Lang {
  return storedLang() ?? (navigator.language.toLowerCase().startsWith("fr") ? "fr" : "en");
}

export interface I18n {
  lang: Lang;
  setLang(lang: Lang, userId?: string): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  money(amount: string | number): string;
  date(value: string): string;
  /** A disposition or collection status code in words (the code itself when unknown, e.g. a centre's own). */
  code(kind: "disposition" | "collection", value: string): string;
  dateTime(value: string): string;
  /** A coming moment, short: "08:00" today in the centre, else "Wed 4 Mar, 08:00". */
  when(value: string): string;
  timezone: string;
  setTimezone(tz: string): void;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [timezone, setTimezone] = useState("Africa/Algiers");

  const setLang = useCallback((next: Lang, userId?: string) => {
    setLangState(next);
    document.documentElement.lang = next;
    try {
      localStorage.setItem(storageKey(), next);
      if (userId) localStorage.setItem(storageKey(userId), next);
    } catch {}
  }, []);

  const value = useMemo<I18n>(() => {
    const locale = LOCALES[lang];
    const dict = dictionaries[lang];
    const moneyFmt = new Intl.NumberFormat(locale, { style: "currency", currency: "DZD" });
    const dateTimeFmt = new Intl.DateTimeFormat(locale, {
      timeZone: timezone,
      dateStyle: "medium",
      timeStyle: "short",
      hourCycle: "h23",
    });
    // Calendar dates (due dates) have no time: formatted as they are, not moved across timezones.
    const timeFmt = new Intl.DateTimeFormat(locale, {
      timeZone: timezone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    const dayTimeFmt = new Intl.DateTimeFormat(locale, {
      timeZone: timezone,
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    const dayKey = new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    const dateFmt = new Intl.DateTimeFormat(locale, { timeZone: "UTC", dateStyle: "medium" });
    document.documentElement.lang = lang;
    return {
      lang,
      setLang,
      timezone,
      setTimezone,
      t: (key, vars) => {
        let text: string = dict[key] ?? key;
        for (const [k, v] of Object.entries(vars ?? {})) text = text.replace(`{${k}}`, String(v));
        return text;
      },
      money: (amount) => moneyFmt.format(Number(amount)),
      date: (value) => dateFmt.format(new Date(value.length === 10 ? `${value}T00:00:00Z` : value)),
      dateTime: (value) => dateTimeFmt.format(new Date(value)),
      when: (value) => {
        const at = new Date(value);
        return dayKey.format(at) === dayKey.format(new Date()) ? timeFmt.format(at) : dayTimeFmt.format(at);
      },
      code: (kind, value) => (dict as Record<string, string>)[`${kind}.${value}`] ?? value,
    };
  }, [lang, timezone, setLang]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error("useI18n outside I18nProvider");
  return ctx;
}
