import { Redis } from "ioredis";
import type { Config } from "./config.js";
import type { Database, Db } from "./db/client.js";
import { createReadRouter, memoryWriteMarks, type ReadRouter, redisWriteMarks } from "./db/read-routing.js";
import { type Clock, systemClock } from "./lib/clock.js";
import { networkMatcher } from "./lib/networks.js";
import { MemoryRateLimitStore, RateLimiter, type RateLimiterLogger, RedisRateLimitStore } from "./lib/rate-limiter.js";
import { createTokenService, type TokenService } from "./modules/auth/tokens.js";
import { createMailer, type Mailer } from "./modules/mail/mailer.js";
import { createMailOutbox, type MailOutbox } from "./modules/mail/outbox.js";
import { createDummyHash } from "./modules/users/password.js";

/** What services need besides their arguments; built once per app and passed in, never global. */
export interface Services {
  db: Db;
  /** Named prepared statements for the hottest queries (planned once per connection). */
  queryNamed: Database["queryNamed"];
  /**
   * Where reads that may be a little behind go (DATABASE_REPLICA_URL): routes of pre-call, searches,
   * lists, statistics and exports ask it per request, then pass `readServices(request, services)` (auth/request.ts).
   */
  reads: ReadRouter;
  config: Config;
  clock: Clock;
  limiter: RateLimiter;
  tokens: TokenService;
  mailer: Mailer;
  /**
   * In-process counters for operators and tests: `passwordChecks` is every sign-in password that
   * reached bcrypt, the figure the lockout bounds (LOCKOUT_THRESHOLD per account).
   */
  counters: { passwordChecks: number };
  /** Whether an address is inside TRUSTED_NETWORKS, the centre's own networks. */
  isTrustedNetwork(ip: string | null): boolean;
  /** Every message goes through here (a row per message, delivered by a worker), never straight to SMTP. */
  mailOutbox: MailOutbox;
  /** Resolved lazily: hashing costs ~50 ms at cost 10 and is only needed for unknown accounts. */
  dummyHash(): Promise<string>;
  /** Resolves once Redis (when configured) is connected, or after 2 s: start-up must not hang on it. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Who is asking, for audit entries, login history and rate limits. */
export interface RequestContext {
  ip: string;
  userAgent: string | null;
  requestId: string;
  actorId?: string | null;
  actorType?: "user" | "api_key" | "system";
}

export interface ServiceLogger extends RateLimiterLogger {
  info(obj: object, msg: string): void;
}

export function createServices(
  database: Database,
  config: Config,
  log: ServiceLogger,
  clock: Clock = systemClock,
): Services {
  const db = database.db;
  let redis: Redis | undefined;
  if (config.REDIS_URL) {
    // No offline queue: while Redis is down, commands fail at once and the limiter lets requests
    // through instead of making every login wait.
    redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    redis.on("error", (err) => log.warn({ err: { message: err.message } }, "redis connection error"));
  }
  const store = redis ? new RedisRateLimitStore(redis, config.REDIS_KEY_PREFIX) : new MemoryRateLimitStore();
  let dummy: Promise<string> | undefined;
  const mailer = createMailer(config, log);
  const mailOutbox = createMailOutbox({ db, mailer, config, clock, log });
  return {
    db,
    queryNamed: database.queryNamed,
    reads: createReadRouter(database, redis ? redisWriteMarks(redis, config.REDIS_KEY_PREFIX) : memoryWriteMarks()),
    config,
    clock,
    limiter: new RateLimiter(store, log),
    tokens: createTokenService({ secret: config.JWT_SECRET, accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, clock }),
    mailer,
    counters: { passwordChecks: 0 },
    isTrustedNetwork: networkMatcher(config.trustedNetworks),
    mailOutbox,
    dummyHash: () => {
      dummy ??= createDummyHash(config.BCRYPT_COST);
      return dummy;
    },
    ready: () =>
      new Promise<void>((resolve) => {
        if (!redis || redis.status === "ready") return resolve();
        const timer = setTimeout(resolve, 2000);
        redis.once("ready", () => {
          clearTimeout(timer);
          resolve();
        });
      }),
    close: async () => {
      await mailOutbox.stop();
      redis?.disconnect();
      mailer.close();
    },
  };
}
