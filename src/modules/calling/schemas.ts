import { Type } from "typebox";
import { INTERACTION_DIRECTIONS } from "../../db/schema/index.js";
import { Money } from "../../lib/money.js";
import { CustomerView } from "../customers/schemas.js";
import { InteractionView } from "../interactions/schemas.js";
import { LoanView } from "../loans/schemas.js";
import { PromiseView } from "../promises/schemas.js";
import { ELIGIBILITY_REASONS } from "./eligibility.js";
import { Nullable } from "../../lib/http-schemas.js";

export const EligibilityView = Type.Object({
  canCall: Type.Boolean(),
  reasons: Type.Array(Type.Enum(ELIGIBILITY_REASONS)),
  nextEligibleAt: Nullable(
    Type.String({ format: "date-time", description: "null when a rule never clears on its own (do-not-call…)" }),
  ),
});

export const PreCallQuery = Type.Object(
  { phone: Type.String({ minLength: 3, maxLength: 32, description: "Any format" }) },
  { additionalProperties: false },
);

export const PreCallResponse = Type.Object({
  customer: CustomerView,
  phones: Type.Array(
    Type.Object({
      number: Type.String(),
      kind: Type.Enum(["primary", "alternate"]),
      wrongNumber: Type.Boolean({ description: "A call reported this number wrong (wrong_number outcome)" }),
    }),
    { description: "The customer's numbers, primary first; a next call dials the first one not reported wrong" },
  ),
  loans: Type.Array(LoanView),
  summary: Type.Object({
    totalOutstanding: Type.String(),
    totalOverdue: Type.String(),
    maxDaysPastDue: Type.Integer(),
    lastPayment: Nullable(Type.Object({ amount: Type.String(), paidAt: Type.String({ format: "date-time" }) })),
    openPromises: Type.Integer(),
    brokenPromisesLast90Days: Type.Integer(),
  }),
  recentInteractions: Type.Array(InteractionView),
  eligibility: EligibilityView,
  claimedBy: Nullable(
    Type.Object(
      { name: Nullable(Type.String()), until: Type.String({ format: "date-time" }) },
      {
        description: "Another agent or dialer holds this customer (a live next-call claim) until then; null otherwise",
      },
    ),
  ),
});

export const PostCallBody = Type.Object(
  {
    callId: Type.String({ minLength: 1, maxLength: 128, description: "The dialer's call id: the idempotency key" }),
    phone: Type.Optional(
      Type.String({ minLength: 3, maxLength: 32, description: "The number dialled (or customerId)" }),
    ),
    customerId: Type.Optional(Type.String({ format: "uuid" })),
    loanId: Type.Optional(Type.String({ format: "uuid" })),
    direction: Type.Enum(INTERACTION_DIRECTIONS),
    startedAt: Type.String({ format: "date-time" }),
    durationSeconds: Type.Integer({ minimum: 0, maximum: 86400 }),
    disposition: Type.String({ minLength: 1, maxLength: 64 }),
    notes: Type.Optional(Type.String({ maxLength: 5000 })),
    promiseAmount: Type.Optional(Money),
    promiseDate: Type.Optional(Type.String({ format: "date" })),
    callbackAt: Type.Optional(Type.String({ format: "date-time" })),
    dispositionTrace: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export const PostCallResponse = Type.Object({
  interaction: InteractionView,
  promise: Type.Optional(PromiseView),
  eligibility: EligibilityView,
});

export const WorklistQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) },
  { additionalProperties: false },
);

export const WorklistRow = Type.Object({
  customerId: Type.String({ format: "uuid" }),
  fullName: Type.String(),
  phone: Type.String({ description: "The number to dial (one not reported wrong)" }),
  city: Nullable(Type.String()),
  reason: Type.Enum(["callback_due", "broken_promise", "overdue"]),
  why: Type.String({ description: "Why this customer is on the list, in words" }),
  daysPastDue: Type.Integer(),
  bucket: Type.String(),
  totalOverdue: Type.String(),
  priorityScore: Type.Integer({ description: "Days past due × amount overdue" }),
  owner: Type.Optional(
    Type.Object(
      {
        pool: Type.Enum(["own", "team", "unowned", "other"]),
        agentId: Nullable(Type.String({ format: "uuid" })),
        agentName: Nullable(Type.String()),
        teamId: Nullable(Type.String({ format: "uuid" })),
        teamName: Nullable(Type.String()),
        claimedByYou: Type.Boolean(),
      },
      {
        description:
          "Whose customer this is: the caller's own, their team's, the unowned pool (or another owner, for an integration key)",
      },
    ),
  ),
});

export const WorklistResponse = Type.Object({
  data: Type.Array(WorklistRow),
  page: Type.Object({ limit: Type.Integer(), nextCursor: Type.Null() }),
  generatedAt: Type.String({ format: "date-time" }),
  summary: Type.Object(
    {
      owing: Type.Integer({ description: "Customers who owe money (the whole portfolio)" }),
      callableNow: Type.Integer({
        description: "Callable customers found (at least the rows listed; all of them when `complete`)",
      }),
      blocked: Type.Record(Type.String(), Type.Integer(), {
        description:
          "Owing customers examined who cannot be called now, per eligibility reason (a customer may count under several)",
      }),
      nextEligibleAt: Nullable(
        Type.String({
          format: "date-time",
          description: "The earliest moment one of the blocked customers becomes callable",
        }),
      ),
      complete: Type.Boolean({ description: "Every owing customer was examined, so the counts are exact" }),
    },
    { description: "Why the list is as long as it is: an empty worklist explains itself" },
  ),
});

export const DispositionList = Type.Object({
  data: Type.Array(
    Type.Object({
      code: Type.String(),
      label: Type.String(),
      contacted: Type.Boolean({ description: "Someone answered" }),
      rightPartyContact: Type.Boolean({ description: "It was the borrower" }),
      requires: Type.Array(Type.Enum(["promiseAmount", "promiseDate", "callbackAt"]), {
        description: "Fields a post-call with this code must carry",
      }),
    }),
  ),
});
