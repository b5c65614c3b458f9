/**
 * Command-line options of `npm run bench`. Flags win over environment variables so a one-off
 * `npm run bench -- --customers 2000` needs no env juggling.
 */
export interface BenchOptions {
  customers: number;
  /** Measured seconds per scenario and connection level. */
  duration: number;
  /** Unmeasured seconds before each measurement: lets V8 optimise and PostgreSQL warm its caches. */
  warmup: number;
  connections: number[];
  /** Only these scenarios (all when empty). */
  scenarios: string[];
  /** Seconds of the bcrypt ceiling measurement. */
  ceilingSeconds: number;
  /** A database to keep: created and seeded when missing, reused (and not dropped) otherwise. */
  database?: string;
}

const USAGE = `usage: npm run bench -- [--customers N] [--duration SECONDS] [--connections 10,50] [--warmup SECONDS] [--scenarios next-call,pre-call] [--database NAME]
  env: BENCH_CUSTOMERS, BENCH_DURATION, BENCH_CONNECTIONS, BENCH_WARMUP, BENCH_SCENARIOS, BENCH_DATABASE,
       WEB_CONCURRENCY, BENCH_INSTANCES (2: two instances behind PgBouncer)`;

function positiveInt(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!value || !Number.isSafeInteger(n) || n < 1)
    throw new Error(`${name}: expected a positive integer, got ${JSON.stringify(value)}\n${USAGE}`);
  return n;
}

function intList(name: string, value: string): number[] {
  return value.split(",").map((v) => positiveInt(name, v.trim()));
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const opts: BenchOptions = {
    customers: positiveInt("BENCH_CUSTOMERS", env.BENCH_CUSTOMERS ?? "100000"),
    duration: positiveInt("BENCH_DURATION", env.BENCH_DURATION ?? "10"),
    warmup: positiveInt("BENCH_WARMUP", env.BENCH_WARMUP ?? "2"),
    connections: intList("BENCH_CONNECTIONS", env.BENCH_CONNECTIONS ?? "10,50"),
    scenarios: (env.BENCH_SCENARIOS ?? "")
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean),
    ceilingSeconds: 5,
    database: env.BENCH_DATABASE || undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    // Both `--flag value` and `--flag=value`.
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--customers":
        opts.customers = positiveInt(flag, value());
        break;
      case "--duration":
        opts.duration = positiveInt(flag, value());
        break;
      case "--warmup":
        opts.warmup = positiveInt(flag, value());
        break;
      case "--connections":
        opts.connections = intList(flag, value() ?? "");
        break;
      case "--scenarios":
        opts.scenarios = (value() ?? "")
          .split(",")
          .map((v) => v.trim())
          .filter(Boolean);
        break;
      case "--database":
        opts.database = value();
        break;
      case "-h":
      case "--help":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  if (opts.database !== undefined && !/^[a-z_][a-z0-9_]*$/.test(opts.database))
    throw new Error(`--database: a lower-case identifier, got ${JSON.stringify(opts.database)}\n${USAGE}`);
  return opts;
}
