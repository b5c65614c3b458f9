/**
 * Every PostgreSQL advisory-lock key the service takes, in one place: two jobs sharing a key would
 * block or skip each other (the seed and the promise evaluation once both used 4_812_002).
 */
export const LOCK_KEYS = {
  migrations: 4_812_001,
  promiseEvaluation: 4_812_002,
  cleanup: 4_812_003,
  seed: 4_812_004,
  sampleCustomers: 4_812_101,
  portfolio: 4_812_102,
} as const;
