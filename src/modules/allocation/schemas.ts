import { Type } from "typebox";
import { Nullable } from "../../lib/http-schemas.js";
import { PreCallResponse } from "../calling/schemas.js";

export const ClaimView = Type.Object({
  customerId: Type.String({ format: "uuid" }),
  phone: Nullable(Type.String({ description: "The number to dial (never one reported wrong)" })),
  claimedAt: Type.String({ format: "date-time" }),
  expiresAt: Type.String({ format: "date-time" }),
});

export const PoolSummary = Type.Object({
  owing: Type.Integer({ description: "Customers of the agent's pools who owe money" }),
  callableNow: Type.Integer(),
  blocked: Type.Record(Type.String(), Type.Integer(), {
    description: "Per eligibility reason (and CLAIMED: held by another caller)",
  }),
  nextEligibleAt: Nullable(Type.String({ format: "date-time" })),
});

export const NextCallResponse = Type.Union([
  Type.Object({ claim: ClaimView, precall: PreCallResponse }),
  Type.Object({ claim: Type.Null(), summary: PoolSummary }),
]);

export const CustomerIdParams = Type.Object({ customerId: Type.String({ format: "uuid" }) });

export const ReleaseBody = Type.Object(
  {
    reason: Type.Enum(["skipped", "returned"], {
      description: "skipped: the agent passes on this customer (audited, counted); returned: not worked",
    }),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export const ReleaseResponse = Type.Object({
  customerId: Type.String({ format: "uuid" }),
  releasedAt: Type.String({ format: "date-time" }),
  reason: Type.String(),
});

export const BatchBody = Type.Object(
  {
    count: Type.Integer({ minimum: 1, maximum: 500 }),
    teamId: Type.Optional(
      Type.String({ format: "uuid", description: "The team's unowned customers; otherwise the unowned pool" }),
    ),
  },
  { additionalProperties: false },
);
export const BatchResponse = Type.Object({
  batchId: Nullable(Type.String({ format: "uuid" })),
  claims: Type.Array(
    Type.Object({
      customerId: Type.String({ format: "uuid" }),
      fullName: Type.String(),
      phone: Type.String(),
      expiresAt: Type.String({ format: "date-time" }),
    }),
  ),
});
export const ReturnQuery = Type.Object(
  { batchId: Type.Optional(Type.String({ format: "uuid" })) },
  { additionalProperties: false },
);
export const ReturnResponse = Type.Object({ returned: Type.Integer() });
