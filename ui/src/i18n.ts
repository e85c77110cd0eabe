/**
 * UI text in English and Chinese: small typed message tables, one per module
 * (`defineMessages({ en: {...}, zh: {...} })`), so a module's strings live beside its code and the
 * compiler checks that both languages have every key. The language comes from the browser
 * (navigator.languages), can be switched at run time (kept in localStorage), and modules re-render
 * on `onLocaleChange` — switching needs no reload.
 */
export const LOCALES = ['en', 'zh'] as const;
export type Locale = (typeof LOCALES)[number];

/** A message: fixed text, or a function of its parameters (plurals, counts, names). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Message = string | ((...args: any[]) => string);
type Table = Record<string, Message>;

const STORAGE_KEY = 'kgrag.locale';
const listeners = new Set<(locale: Locale) => void>();
let current: Locale = initialLocale();

function initialLocale(): Locale {
  const stored = safeStorage()?.getItem(STORAGE_KEY);
  if (stored === 'en' || stored === 'zh') return stored;
  const preferred = typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language];
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'zh') return 'zh';
    if (base === 'en') return 'en';
  }
  return 'en';
}

function safeStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined; // storage disabled (privacy settings, sandboxed frames)
  }
}

export function locale(): Locale {
  return current;
}

export function setLocale(next: Locale): void {
  if (next === current) return;
  current = next;
  safeStorage()?.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  for (const listener of listeners) listener(next);
}

/** Called after every switch; returns the unsubscribe function. */
export function onLocaleChange(listener: (locale: Locale) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * A module's messages. `en` defines the keys and parameter shapes; `zh` must match them.
 * Returns `t`: `t('key')` or `t('key', ...args)` in the current language.
 */
export function defineMessages<T extends Table>(tables: { en: T; zh: { [K in keyof T]: T[K] } }) {
  return function t<K extends keyof T>(key: K, ...args: T[K] extends (...a: infer A) => string ? A : []): string {
    const message = tables[current][key];
    return typeof message === 'function' ? message(...args) : (message as string);
  };
}

/** Numbers and dates in the current language's format. */
export function formatNumber(n: number): string {
  // One formatter per language: toLocaleString builds a new one on every call (milliseconds each).
  return (numberFormats[current] ??= new Intl.NumberFormat(current === 'zh' ? 'zh-CN' : 'en')).format(n);
}
const numberFormats: Partial<Record<Locale, Intl.NumberFormat>> = {};

/** `'short'`: numeric date and time, for table cells. */
export function formatDate(iso: string | number | Date, withTime: boolean | 'short' = true): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const style: Intl.DateTimeFormatOptions = withTime === 'short' ? { dateStyle: 'short', timeStyle: 'short' } : withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' };
  return date.toLocaleString(current === 'zh' ? 'zh-CN' : 'en', style);
}
