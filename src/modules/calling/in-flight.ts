import type { Services } from "../../services.js";

const running = new WeakMap<Services, Map<string, Promise<unknown>>>();

/**
 * Concurrent callers asking for the same portfolio-wide read share one execution of it: measured at
 * 1,000,000 customers, the worklist's due-callbacks and broken-promises reads take ~100 ms each, and
 * 50 agents refreshing at once ran them 50 times side by side, so the pool waited on PostgreSQL and
 * requests timed out (503). A caller that arrives while the read runs gets its answer, computed a few
 * milliseconds before it asked; nothing is kept once the read has answered.
 */
export function shareInFlight<T>(services: Services, key: string, load: () => Promise<T>): Promise<T> {
  let byKey = running.get(services);
  if (!byKey) {
    byKey = new Map();
    running.set(services, byKey);
  }
  const current = byKey.get(key) as Promise<T> | undefined;
  if (current) return current;
  const started = load().finally(() => byKey.delete(key));
  byKey.set(key, started);
  return started;
}
