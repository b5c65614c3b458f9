import { Type } from "typebox";
import { Nullable } from "../../lib/http-schemas.js";
import { Bucket, CollectionStatus } from "../loans/schemas.js";

const Uuid = Type.String({ format: "uuid" });

export const TeamView = Type.Object({
  id: Uuid,
  name: Type.String(),
  supervisor: Nullable(Type.Object({ id: Uuid, name: Type.String() })),
  members: Type.Array(Type.Object({ id: Uuid, name: Type.String(), role: Type.String(), isActive: Type.Boolean() })),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});
export const TeamList = Type.Object({ data: Type.Array(TeamView) });
export const TeamCreateBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), supervisorId: Type.Optional(Nullable(Uuid)) },
  { additionalProperties: false },
);
export const TeamPatchBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), supervisorId: Type.Optional(Nullable(Uuid)) },
  { additionalProperties: false },
);
export const MembersBody = Type.Object(
  { userIds: Type.Array(Uuid, { minItems: 1, maxItems: 500 }) },
  { additionalProperties: false },
);
export const TeamMemberParams = Type.Object({ id: Uuid, userId: Uuid });

export const AssignmentBody = Type.Object(
  {
    customerIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 100_000 })),
    filter: Type.Optional(
      Type.Object(
        {
          bucket: Type.Optional(Bucket),
          city: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          minDaysPastDue: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
          collectionStatus: Type.Optional(CollectionStatus),
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        },
        { additionalProperties: false, description: "The customer list's filters; {} selects every customer" },
      ),
    ),
    to: Type.Optional(
      Type.Object({ agentId: Type.Optional(Uuid), teamId: Type.Optional(Uuid) }, { additionalProperties: false }),
    ),
    unassign: Type.Optional(Type.Literal(true)),
    strategy: Type.Optional(
      Type.Enum(["to_one", "round_robin", "balance_amount"], {
        description:
          "to_one (default): all to the agent or team; round_robin / balance_amount: spread over the team's active agents (even counts / even total overdue)",
      }),
    ),
  },
  { additionalProperties: false },
);
export const AssignmentQuery = Type.Object(
  { dryRun: Type.Boolean({ default: false }) },
  { additionalProperties: false },
);
export const AssignmentResult = Type.Object({
  dryRun: Type.Boolean(),
  strategy: Type.String(),
  matched: Type.Integer(),
  changed: Type.Integer({ description: "Customers whose owner changes (or would, in a dry run)" }),
  owners: Type.Array(
    Type.Object({
      agentId: Nullable(Uuid),
      teamId: Nullable(Uuid),
      customers: Type.Integer(),
      totalOverdue: Type.String(),
    }),
  ),
});

const Counters = {
  customers: Type.Integer(),
  totalOverdue: Type.String(),
  callableNow: Type.Integer(),
  claimsLive: Type.Integer(),
  callsToday: Type.Integer(),
  skipsToday: Type.Integer(),
};
export const AssignmentSummary = Type.Object({
  agents: Type.Array(
    Type.Object({
      agentId: Uuid,
      name: Type.String(),
      teamId: Nullable(Uuid),
      ...Counters,
      signedIn: Type.Boolean({ description: "Has a live session (not ended, not idle, not past its maximum age)" }),
    }),
  ),
  teams: Type.Array(Type.Object({ teamId: Uuid, name: Type.String(), ...Counters })),
  evaluatedCustomers: Type.Integer({
    description: "Owned owing customers whose eligibility was evaluated (capped at 20,000)",
  }),
  generatedAt: Type.String({ format: "date-time" }),
});

export const BoardQuery = Type.Object({ teamId: Type.Optional(Uuid) }, { additionalProperties: false });
export const Board = Type.Object({
  data: Type.Array(
    Type.Object({
      customerId: Uuid,
      customerName: Type.String(),
      holder: Type.Object({
        type: Type.Enum(["user", "api_key"]),
        id: Uuid,
        name: Type.String(),
        teamId: Nullable(Uuid),
      }),
      batchId: Nullable(Uuid),
      claimedAt: Type.String({ format: "date-time" }),
      expiresAt: Type.String({ format: "date-time" }),
    }),
  ),
  generatedAt: Type.String({ format: "date-time" }),
});

export const WorklistPreviewQuery = Type.Object(
  {
    agentId: Type.Optional(Uuid),
    teamId: Type.Optional(Uuid),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);
