/** Wall-clock arithmetic in a customer's timezone, with the platform's Intl data (no dependency). */

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "short",
    });
    formatters.set(timezone, f);
  }
  return f;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export interface LocalParts {
  date: string;
  /** Minutes since local midnight. */
  minutes: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

/**
 * formatToParts is the expensive step (profiled: 7 % of next-call's server CPU, called for every
 * candidate's eligibility and attempt). UTC offsets are whole minutes, so every instant of one UTC
 * minute has the same local date, minutes and weekday, and the same offset: both are kept per
 * (timezone, minute). A floor of agents asks about a handful of minutes and timezones at a time.
 */
const MINUTE_MS = 60_000;
const CACHE_LIMIT = 2_000;
const partsByMinute = new Map<string, LocalParts>();
const offsetByMinute = new Map<string, number>();

function perMinute<T>(cache: Map<string, T>, instant: Date, timezone: string, compute: (minute: Date) => T): T {
  const minute = Math.floor(instant.getTime() / MINUTE_MS);
  const key = `${timezone}|${minute}`;
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    value = compute(new Date(minute * MINUTE_MS));
    cache.set(key, value);
  }
  return value;
}

export function localParts(instant: Date, timezone: string): LocalParts {
  // A copy: callers own what they get.
  return { ...perMinute(partsByMinute, instant, timezone, (minute) => computeLocalParts(minute, timezone)) };
}

function computeLocalParts(instant: Date, timezone: string): LocalParts {
  const parts = Object.fromEntries(
    formatter(timezone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? "Sun"),
  };
}

/** Offset of the timezone from UTC at an instant, in milliseconds. */
function offsetAt(instant: Date, timezone: string): number {
  return perMinute(offsetByMinute, instant, timezone, (minute) => computeOffset(minute, timezone));
}

function computeOffset(instant: Date, timezone: string): number {
  const p = Object.fromEntries(
    formatter(timezone)
      .formatToParts(instant)
      .map((x) => [x.type, x.value]),
  );
  const asUtc = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant at which it is `minutes` past midnight of `date` in the timezone. */
export function zonedTime(date: string, minutes: number, timezone: string): Date {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d, 0, minutes);
  const first = guess - offsetAt(new Date(guess), timezone);
  // Recheck once: the offset can differ on the far side of a DST change.
  return new Date(guess - offsetAt(new Date(first), timezone));
}
