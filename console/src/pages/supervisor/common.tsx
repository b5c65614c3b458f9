import { useCallback, useEffect, useRef, useState } from "react";
import { type I18n, useI18n } from "../../i18n";
import { describeError } from "../../lib/errors";
import { centreTimeToIso, centreToday } from "../../lib/zoned";

/**
 * Loads with `load` now and again every `everyMs` (0: once) while the screen is shown; a failed
 * refresh keeps the last data and shows the error. `reload` runs it at once (after a change); a new
 * `key` (the inputs of `load`) loads again.
 */
export function usePolled<T>(load: () => Promise<T>, everyMs = 0, key = "") {
  const i18n = useI18n();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [at, setAt] = useState<Date | null>(null);
  const loader = useRef(load);
  loader.current = load;
  const reload = useCallback(async () => {
    try {
      setData(await loader.current());
      setAt(new Date());
      setError(null);
    } catch (err) {
      setError(describeError(err, i18n));
    }
  }, [i18n]);
  useEffect(() => {
    void reload();
    if (!everyMs) return;
    const timer = setInterval(() => void reload(), everyMs);
    return () => clearInterval(timer);
  }, [reload, everyMs, key]);
  return { data, error, at, reload };
}

/** The start of the centre's day as an ISO instant (the API counts "today" the same way). */
export function centreDayStart(tz: string, now = new Date()): string {
  return centreTimeToIso(`${centreToday(tz, now)}T00:00`, tz);
}

/** A date (YYYY-MM-DD) `days` before `date`. */
export function daysBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/** Minutes and seconds left until `iso`, as "m:ss" (0:00 once past). */
export function remaining(iso: string, now: number): string {
  const s = Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** A days-past-due bucket in words ("31-60 days", "Current"). */
export const bucketLabel = ({ t }: I18n, bucket: string) =>
  bucket === "current" ? t("sup.bucketCurrent") : t("sup.bucketDays", { bucket });
