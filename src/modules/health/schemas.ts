import { Type } from "typebox";

export const HealthResponse = Type.Object({
  status: Type.Literal("ok"),
  uptime: Type.Number({ description: "Seconds since the process started" }),
  version: Type.String(),
});

/** Present when DATABASE_REPLICA_URL is set; a replica down or lagging never makes the service unready. */
const ReplicaReport = Type.Optional(
  Type.Object({
    reachable: Type.Boolean(),
    lagSeconds: Type.Union([Type.Number(), Type.Null()], { description: "Seconds of writes not replayed yet" }),
    maxLagSeconds: Type.Number(),
    serving: Type.Boolean({ description: "Reads go to the replica (else to the primary)" }),
  }),
);

export const ReadyResponse = Type.Object({
  status: Type.Literal("ready"),
  database: Type.Union([Type.Literal("postgres"), Type.Literal("pglite")]),
  migrations: Type.Literal("up-to-date"),
  replica: ReplicaReport,
});

export const NotReadyResponse = Type.Object({
  error: Type.Object({
    code: Type.Literal("NOT_READY"),
    message: Type.String(),
    details: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })),
  }),
  requestId: Type.String(),
  status: Type.Literal("not_ready"),
  database: Type.Union([Type.Literal("postgres"), Type.Literal("pglite")]),
  migrations: Type.Union([Type.Literal("up-to-date"), Type.Literal("pending"), Type.Literal("unknown")]),
  replica: ReplicaReport,
});
