import { Type } from "typebox";
import { INTERACTION_CHANNELS, INTERACTION_DIRECTIONS } from "../../db/schema/index.js";
import { CursorQuery, LimitQuery, PageInfo } from "../../lib/pagination.js";
import { Nullable } from "../../lib/http-schemas.js";
import { VersionField } from "../../lib/versioning.js";

export const InteractionView = Type.Object({
  id: Type.String({ format: "uuid" }),
  customerId: Type.String({ format: "uuid" }),
  loanId: Nullable(Type.String({ format: "uuid" })),
  agentId: Nullable(Type.String({ format: "uuid" })),
  agentName: Nullable(Type.String()),
  apiKeyId: Nullable(
    Type.String({ format: "uuid", description: "The integration key that recorded it (dialer, bot), if any" }),
  ),
  channel: Type.String(),
  direction: Type.String(),
  callId: Nullable(Type.String()),
  startedAt: Type.String({ format: "date-time" }),
  durationSeconds: Nullable(Type.Integer()),
  disposition: Nullable(Type.String()),
  notes: Nullable(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
  version: Type.Optional(Type.Integer({ description: "Send it back to PATCH /api/interactions/:id" })),
});

/** One interaction as GET and PATCH /api/interactions/:id answer it. */
export const InteractionDetail = Type.Object({
  ...InteractionView.properties,
  version: Type.Integer({ description: "Send it back to PATCH (or as If-Match)" }),
  callbackAt: Nullable(Type.String({ format: "date-time" })),
  updatedAt: Nullable(Type.String({ format: "date-time", description: "When a supervisor last corrected it" })),
});

export const InteractionPatchBody = Type.Object(
  {
    version: Type.Optional(VersionField),
    notes: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
    disposition: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const InteractionCorrected = Type.Object({
  ...InteractionDetail.properties,
  effectsReRun: Type.Literal(false, {
    description:
      "Always false: a corrected disposition does not re-run its effects (promise, loan status, flags, callback)",
  }),
  notice: Type.String(),
});

export const InteractionCreateBody = Type.Object(
  {
    customerId: Type.String({ format: "uuid" }),
    loanId: Type.Optional(Type.String({ format: "uuid" })),
    channel: Type.Enum(INTERACTION_CHANNELS),
    direction: Type.Enum(INTERACTION_DIRECTIONS, { default: "outbound" }),
    callId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    startedAt: Type.Optional(Type.String({ format: "date-time", description: "Default: now" })),
    durationSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })),
    disposition: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    notes: Type.Optional(Type.String({ maxLength: 5000 })),
  },
  { additionalProperties: false },
);

export const InteractionListQuery = Type.Object(
  {
    cursor: Type.Optional(CursorQuery),
    limit: LimitQuery,
    customerId: Type.Optional(Type.String({ format: "uuid" })),
    loanId: Type.Optional(Type.String({ format: "uuid" })),
    agentId: Type.Optional(Type.String({ format: "uuid" })),
    disposition: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    from: Type.Optional(Type.String({ format: "date-time", description: "startedAt ≥ from" })),
    to: Type.Optional(Type.String({ format: "date-time", description: "startedAt < to" })),
  },
  { additionalProperties: false },
);

export const InteractionList = Type.Object({ data: Type.Array(InteractionView), page: PageInfo });
