import { type Static, Type } from "typebox";
import { Value } from "typebox/value";
import { availableParallelism } from "node:os";
import { checkScaling, type DatabaseTarget, resolveDatabase } from "./config-database.js";
import { parseNetworkList } from "./lib/networks.js";

export { type DatabaseTarget, redactConnectionString } from "./config-database.js";

/**
 * Every environment variable the service reads, with its default. Names are the contract with
 * operators (several come from the seed projects: PORT, DB_NAME, DB_USER, EMAIL_USER, EMAIL_PASS),
 * so they stay in UPPER_SNAKE form instead of being mapped to another shape.
 */
// Builders, not shared objects: TypeBox marks schemas with a symbol that spreading would drop.
const Port = (defaultPort: number) => Type.Integer({ minimum: 1, maximum: 65535, default: defaultPort });
const Flag = (defaultValue: boolean) => Type.Boolean({ default: defaultValue });
/** Also the scale generator's, which runs without a configuration in tests. */
export const DEFAULT_PROMISE_GRACE_DAYS = 2;

export const ConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal("development"), Type.Literal("production"), Type.Literal("test")], {
    default: "development",
  }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 5100 }),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  LOG_LEVEL: Type.Union(
    ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => Type.Literal(l)),
    { default: "info" },
  ),

  DATABASE_URL: Type.Optional(Type.String({ pattern: "^postgres(ql)?://" })),
  DB_POOL_MAX: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  DB_PREPARED_STATEMENTS: Flag(true),
  DATABASE_DIRECT_URL: Type.Optional(Type.String({ pattern: "^postgres(ql)?://" })),
  DATABASE_REPLICA_URL: Type.Optional(Type.String({ pattern: "^postgres(ql)?://" })),
  REPLICA_MAX_LAG_SECONDS: Type.Number({ exclusiveMinimum: 0, maximum: 3600, default: 5 }),
  // No schema default: the number of cores in production, 1 otherwise and always 1 on PGlite.
  WEB_CONCURRENCY: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
  DB_HOST: Type.String({ minLength: 1, default: "127.0.0.1" }),
  DB_PORT: Port(5432),
  DB_NAME: Type.Optional(Type.String({ minLength: 1 })),
  DB_USER: Type.String({ minLength: 1, default: "postgres" }),
  DB_PASSWORD: Type.Optional(Type.String()),
  DATA_DIR: Type.String({ minLength: 1, default: "./data" }),
  MIGRATE_ON_START: Flag(true),
  SEED_ON_START: Type.Optional(Type.Boolean()),

  JWT_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 30, maximum: 86400, default: 900 }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 90 * 86400, default: 7 * 86400 }),
  SESSION_IDLE_MINUTES: Type.Number({ exclusiveMinimum: 0, maximum: 10080, default: 30 }),
  SESSION_MAX_HOURS: Type.Number({ exclusiveMinimum: 0, maximum: 720, default: 12 }),
  BCRYPT_COST: Type.Integer({ minimum: 4, maximum: 15, default: 10 }),
  LOCKOUT_THRESHOLD: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  LOCKOUT_MINUTES: Type.Number({ exclusiveMinimum: 0, maximum: 10080, default: 15 }),
  // No schema default: `approval` in production, `open` otherwise (resolved below).
  REGISTRATION: Type.Optional(Type.Union([Type.Literal("open"), Type.Literal("approval"), Type.Literal("closed")])),
  REGISTRATION_AUTO_APPROVE_DOMAINS: Type.Optional(
    Type.String({ pattern: "^\\s*[A-Za-z0-9.-]+\\.[A-Za-z]{2,}\\s*(,\\s*[A-Za-z0-9.-]+\\.[A-Za-z]{2,}\\s*)*$" }),
  ),
  PHONE_POLICY: Type.Union([Type.Literal("mobilis"), Type.Literal("any")], { default: "mobilis" }),
  RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, maximum: 86400, default: 900 }),
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: Type.Integer({ minimum: 1, default: 10 }),
  RATE_LIMIT_LOGIN_FAILURES_PER_IP: Type.Integer({ minimum: 1, default: 100 }),
  RATE_LIMIT_REGISTER_PER_IP: Type.Integer({ minimum: 1, default: 50 }),
  RATE_LIMIT_REFRESH_PER_IP: Type.Integer({ minimum: 1, default: 3000 }),
  RATE_LIMIT_REFRESH_FAILURES_PER_IP: Type.Integer({ minimum: 1, default: 50 }),
  CORS_ORIGINS: Type.Optional(Type.String()),
  TRUST_PROXY: Type.String({ default: "false" }),
  TRUSTED_NETWORKS: Type.String({ default: "" }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120000, default: 10000 }),

  OTP_TTL_SECONDS: Type.Integer({ minimum: 30, maximum: 86400, default: 600 }),
  OTP_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 20, default: 5 }),
  OTP_MAX_RESENDS: Type.Integer({ minimum: 0, maximum: 20, default: 3 }),
  OTP_RESEND_COOLDOWN_SECONDS: Type.Integer({ minimum: 0, maximum: 3600, default: 60 }),
  OTP_MAX_REQUESTS_PER_DAY: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  OTP_IN_RESPONSE: Flag(false),
  EMAIL_VERIFICATION_TTL_SECONDS: Type.Integer({ minimum: 30, maximum: 7 * 86400, default: 600 }),
  REQUIRE_EMAIL_VERIFICATION: Flag(false),
  RESET_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 30, maximum: 86400, default: 600 }),
  RATE_LIMIT_OTP_PER_IP: Type.Integer({ minimum: 1, default: 60 }),

  PROMISE_MAX_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
  PROMISE_GRACE_DAYS: Type.Integer({ minimum: 0, maximum: 60, default: DEFAULT_PROMISE_GRACE_DAYS }),
  CALL_WINDOW: Type.String({
    pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$",
    default: "08:00-20:00",
  }),
  NO_CALL_WEEKDAYS: Type.String({
    pattern: "^(none|((mon|tues|wednes|thurs|fri|satur|sun)day)(,\\s*((mon|tues|wednes|thurs|fri|satur|sun)day))*)$",
    default: "friday",
  }),
  MAX_CALL_ATTEMPTS_PER_DAY: Type.Integer({ minimum: 1, maximum: 100, default: 3 }),
  MAX_CALL_ATTEMPTS_PER_7_DAYS: Type.Integer({ minimum: 1, maximum: 700, default: 7 }),
  /** How long a customer rests after an outbound attempt before next-call, the worklist or a dialer offers them again. */
  MIN_MINUTES_BETWEEN_ATTEMPTS: Type.Integer({ minimum: 0, maximum: 1440, default: 60 }),
  PROMISE_EVALUATION_INTERVAL_MINUTES: Type.Number({ minimum: 0, maximum: 1440, default: 15 }),
  CLAIM_LEASE_SECONDS: Type.Integer({ minimum: 10, maximum: 86400, default: 600 }),
  ALLOCATION_POOL: Type.Union([Type.Literal("own"), Type.Literal("team"), Type.Literal("all")], { default: "all" }),

  CENTRE_TIMEZONE: Type.String({ minLength: 1, default: "Africa/Algiers" }),
  SHIFT_WINDOW: Type.String({
    pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$",
    default: "07:00-21:00",
  }),
  SUSPICIOUS_IP_FAILED_ACCOUNTS: Type.Integer({ minimum: 2, default: 5 }),
  SUSPICIOUS_ACCOUNT_FAILED_IPS: Type.Integer({ minimum: 2, default: 3 }),
  SUSPICIOUS_OTP_REQUESTS: Type.Integer({ minimum: 2, default: 10 }),
  SUSPICIOUS_OTP_BLOCKED: Type.Integer({ minimum: 1, default: 3 }),
  SUSPICIOUS_SUCCESS_AFTER_FAILURES: Type.Integer({ minimum: 2, default: 3 }),
  SUSPICIOUS_FORBIDDEN_REQUESTS: Type.Integer({ minimum: 2, default: 10 }),
  CLEANUP_INTERVAL_MINUTES: Type.Number({ minimum: 0, maximum: 10080, default: 60 }),
  AUDIT_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 36500, default: 365 }),
  LOGIN_HISTORY_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 36500, default: 90 }),

  SMTP_HOST: Type.String({ minLength: 1, default: "smtp.gmail.com" }),
  SMTP_PORT: Port(587),
  SMTP_SECURE: Flag(false),
  SMTP_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120000, default: 10000 }),
  EMAIL_USER: Type.Optional(Type.String()),
  EMAIL_PASS: Type.Optional(Type.String()),
  EMAIL_FROM: Type.Optional(Type.String()),
  MAIL_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 50, default: 5 }),
  MAIL_RETRY_SECONDS: Type.Number({ exclusiveMinimum: 0, maximum: 3600, default: 30 }),
  MAIL_POLL_SECONDS: Type.Number({ exclusiveMinimum: 0, maximum: 3600, default: 5 }),

  REDIS_URL: Type.Optional(Type.String({ pattern: "^rediss?://" })),
  REDIS_KEY_PREFIX: Type.String({ default: "crm:" }),
});

export type RawConfig = Static<typeof ConfigSchema>;

export type Config = Omit<
  RawConfig,
  "TRUST_PROXY" | "REGISTRATION" | "REGISTRATION_AUTO_APPROVE_DOMAINS" | "WEB_CONCURRENCY"
> & {
  /**
   * Fastify's trustProxy: false (the socket address is the client), a hop count, or the addresses of
   * the proxies whose X-Forwarded-For is believed. Never `true`: that lets any client choose its IP.
   */
  TRUST_PROXY: false | number | string[];
  /** The centre's own networks (TRUSTED_NETWORKS, validated CIDR blocks). */
  trustedNetworks: string[];
  REGISTRATION: "open" | "approval" | "closed";
  /** Lower-case domains whose verified addresses are approved as agents at verification. */
  REGISTRATION_AUTO_APPROVE_DOMAINS: string[];
  HOST: string;
  SEED_ON_START: boolean;
  /** Worker processes (node:cluster); 1 means no cluster at all. */
  WEB_CONCURRENCY: number;
  JWT_SECRET: string;
  CORS_ORIGINS: string;
  database: DatabaseTarget;
  isProduction: boolean;
};

/** A development-only secret so `npm start` works with no setup; production refuses it. */
const DEVELOPMENT_JWT_SECRET = "development-only-secret-never-use-in-production!";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads the environment once, applies defaults and coercions, and reports every problem together. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const known = Object.keys(ConfigSchema.properties);
  const input: Record<string, unknown> = {};
  for (const key of known) {
    const value = env[key];
    // An empty variable (FOO= in .env) means "not set", as it does for most tools.
    if (value !== undefined && value.trim() !== "") input[key] = value.trim();
  }
  const withDefaults = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, input));
  // Checked one variable at a time: TypeBox stops reporting after a failed union, and an operator
  // needs every problem in one go.
  const problems: string[] = [];
  const values = withDefaults as Record<string, unknown>;
  for (const [key, schema] of Object.entries(ConfigSchema.properties)) {
    if (values[key] === undefined) continue;
    const [error] = Value.Errors(schema, values[key]);
    if (!error) continue;
    const variants = (schema as { anyOf?: { const?: unknown }[] }).anyOf;
    const message = variants ? `must be one of ${variants.map((v) => v.const).join(", ")}` : error.message;
    problems.push(`${key}: ${message} (got ${displayValue(key, env[key])})`);
  }
  const raw = withDefaults as RawConfig;
  const trustProxy = parseTrustProxy(raw.TRUST_PROXY, problems);
  const trusted = parseNetworkList(raw.TRUSTED_NETWORKS);
  problems.push(...trusted.problems.map((p) => `TRUSTED_NETWORKS: ${p}`));
  if (problems.length > 0) throw new ConfigError(problems);
  const isProduction = raw.NODE_ENV === "production";

  if (isProduction) {
    if (!raw.JWT_SECRET || raw.JWT_SECRET.length < 32) {
      problems.push("JWT_SECRET: required in production, at least 32 characters (e.g. `openssl rand -hex 32`)");
    }
    if (raw.CORS_ORIGINS?.split(",").some((o) => o.trim() === "*")) {
      problems.push("CORS_ORIGINS: `*` is refused in production; list the allowed origins");
    }
    if (raw.OTP_IN_RESPONSE) {
      problems.push("OTP_IN_RESPONSE: a development convenience, refused in production (codes travel by email only)");
    }
    if (!raw.EMAIL_USER) {
      problems.push("EMAIL_USER: required in production; without it mail is only written to the log, codes included");
    }
  }
  const database = resolveDatabase(raw);
  checkScaling(raw, database, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    ...raw,
    TRUST_PROXY: trustProxy,
    trustedNetworks: trusted.entries,
    REGISTRATION: raw.REGISTRATION ?? (isProduction ? "approval" : "open"),
    REGISTRATION_AUTO_APPROVE_DOMAINS: (raw.REGISTRATION_AUTO_APPROVE_DOMAINS ?? "")
      .split(",")
      .map((d) => d.trim().toLowerCase())
      .filter((d) => d !== ""),
    HOST: raw.HOST ?? (isProduction ? "0.0.0.0" : "127.0.0.1"),
    SEED_ON_START: raw.SEED_ON_START ?? !isProduction,
    WEB_CONCURRENCY:
      database.engine === "pglite" ? 1 : (raw.WEB_CONCURRENCY ?? (isProduction ? availableParallelism() : 1)),
    JWT_SECRET: raw.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET,
    CORS_ORIGINS: raw.CORS_ORIGINS ?? (isProduction ? "" : "*"),
    database,
    isProduction,
  };
}

/**
 * `false`, a hop count (`1` for one reverse proxy in front), or the proxies' addresses/CIDR blocks.
 * `true` is read as one hop: believing every X-Forwarded-For entry would let any client pick the IP
 * that rate limits and the sign-in history record.
 */
function parseTrustProxy(value: string, problems: string[]): false | number | string[] {
  const text = value.trim().toLowerCase();
  if (text === "false" || text === "0") return false;
  if (text === "true") return 1;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 10) problems.push(`TRUST_PROXY: a hop count above 10 is not plausible (got ${hops})`);
    return hops;
  }
  const list = parseNetworkList(value);
  if (list.entries.length === 0 || list.problems.length > 0) {
    problems.push(
      `TRUST_PROXY: must be false, a hop count, or a list of proxy addresses/CIDR blocks (${list.problems.join("; ") || "empty"})`,
    );
    return false;
  }
  return list.entries;
}

/** A value as a config message shows it: secrets hidden, credentials inside URLs masked. */
function displayValue(key: string, value: string | undefined): string {
  if (value === undefined) return "nothing";
  if (/PASS|SECRET|TOKEN|KEY$/.test(key)) return "(hidden)";
  return JSON.stringify(redactUrlCredentials(value));
}

/** `scheme://user:secret@host` → `scheme://user:***@host`, also in strings that do not parse as URLs. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/\s]*@/gi, "$1:***@");
}
