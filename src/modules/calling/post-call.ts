import { createHash } from "node:crypto";
import type { Static } from "typebox";
import { mapPostgresError } from "../../lib/error-mapping.js";
import { AppError } from "../../lib/errors.js";
import { formatMoney, toCents } from "../../lib/money.js";
import { normalizePhone, requirePhone } from "../../lib/phone.js";
import { addDays } from "../../lib/calendar.js";
import type { RequestContext, Services } from "../../services.js";
import { isOpenLoan, todayIn } from "../loans/arrears.js";
import { toInteractionView } from "../interactions/service.js";
import { toPromiseView } from "../promises/service.js";
import { effectsOf } from "./disposition-effects.js";
import { callRulesFrom } from "./eligibility.js";
import { rowEligibility } from "./eligibility-row.js";
import { loadPostCallFacts, type PostCallFacts, writeCallOutcome } from "./post-call-repository.js";
import { customerNotFound } from "./pre-call.js";
import { loadEligibilityRow } from "./repository.js";
import type { PostCallBody } from "./schemas.js";

type Input = Static<typeof PostCallBody>;
export interface Caller {
  userId: string | null;
  userName: string | null;
  apiKeyId: string | null;
}

const bad = (path: string, message: string) =>
  new AppError("VALIDATION_ERROR", `${path.slice(1)} ${message}`, { details: [{ path, message }] });

/** Key order does not change a request's meaning, so the hash is taken over sorted keys. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
const requestHash = (input: Input) =>
  createHash("sha256")
    .update(JSON.stringify(canonical(input)))
    .digest("hex");

/** The first result of a callId, rebuilt from what was stored. */
async function replay(
  services: Services,
  existing: NonNullable<PostCallFacts["existing"]>,
  hash: string,
  caller: Caller,
) {
  const { interaction, promise } = existing;
  if (interaction.requestHash !== hash) {
    throw new AppError("CONFLICT", "This callId was already recorded with a different outcome", {
      details: [{ path: "/callId", message: "already used with a different body" }],
    });
  }
  const agentName = interaction.agentId === caller.userId ? caller.userName : existing.agentName;
  return {
    created: false,
    interaction: toInteractionView({ ...interaction, agentName }),
    promise: promise ? toPromiseView(promise) : undefined,
    eligibility: await eligibilityNow(services, interaction.customerId),
  };
}

/** The customer's eligibility once the call is recorded, for a call to any of their numbers. */
async function eligibilityNow(services: Services, customerId: string, now = services.clock.now()) {
  return rowEligibility(await loadEligibilityRow(services.db, customerId, now), now, callRulesFrom(services.config));
}

/**
 * Records what happened on a call, with its effects (disposition-effects.ts), in one transaction.
 * `callId` makes it idempotent: the same call again returns the first result; the same callId with
 * another body is 409. Three round trips: the facts, the write (one statement), the new eligibility.
 */
export async function recordPostCallOutcome(services: Services, input: Input, caller: Caller, ctx: RequestContext) {
  const { db, clock, config } = services;
  const hash = requestHash(input);
  // A number that does not parse finds no customer; it is refused below unless this is a replay.
  const phone = input.phone ? normalizePhone(input.phone)?.e164 : undefined;
  const target = input.customerId ? { customerId: input.customerId } : phone ? { phone } : null;
  const facts = await loadPostCallFacts(db, input.callId, target, input.disposition);
  if (facts.existing) return replay(services, facts.existing, hash, caller);

  if (!input.phone && !input.customerId) throw bad("/phone", "or customerId is required");
  const dialled = input.phone ? requirePhone(input.phone).e164 : undefined;
  const customer = facts.customer;
  if (!customer) throw customerNotFound();
  if (!facts.disposition?.isActive) throw bad("/disposition", "is not a known disposition");
  const effects = effectsOf(facts.disposition);

  const now = clock.now();
  const today = todayIn(customer.timezone, now);
  if (!effects.promise && (input.promiseAmount !== undefined || input.promiseDate !== undefined)) {
    throw bad("/promiseAmount", "is only for the promise_to_pay disposition");
  }
  if (effects.promise) {
    if (!input.promiseAmount || toCents(input.promiseAmount) <= 0n)
      throw bad("/promiseAmount", "must be greater than 0");
    if (!input.promiseDate) throw bad("/promiseDate", "is required for a promise");
    const last = addDays(today, config.PROMISE_MAX_DAYS);
    if (input.promiseDate < today || input.promiseDate > last)
      throw bad("/promiseDate", `must be between ${today} and ${last}`);
  }
  if (effects.callback === "required" && !input.callbackAt)
    throw bad("/callbackAt", `is required for ${input.disposition}`);
  if (input.callbackAt && new Date(input.callbackAt).getTime() <= now.getTime())
    throw bad("/callbackAt", "must be in the future");

  let loan = input.loanId ? facts.loans.find((l) => l.id === input.loanId) : undefined;
  if (input.loanId && !loan) throw bad("/loanId", "is not a loan of this customer");
  if (!loan && effects.promise) {
    // Without a loan, a promise is for the most overdue open loan (the loans come soonest due first).
    loan = facts.loans.filter(isOpenLoan)[0];
    if (!loan) throw bad("/loanId", "is required: the customer has no open loan to promise on");
  }
  // The caller's claim on this customer (next-call or a dialer batch) ends with the call it was for.
  const holder = caller.userId
    ? { userId: caller.userId }
    : caller.apiKeyId
      ? { apiKeyId: caller.apiKeyId }
      : undefined;

  try {
    const result = await writeCallOutcome(
      db,
      {
        interaction: {
          customerId: customer.id,
          loanId: loan?.id ?? null,
          agentId: caller.userId,
          apiKeyId: caller.apiKeyId,
          channel: "call",
          direction: input.direction,
          callId: input.callId,
          startedAt: new Date(input.startedAt),
          durationSeconds: input.durationSeconds,
          disposition: input.disposition,
          notes: input.notes ?? null,
          callbackAt: input.callbackAt ? new Date(input.callbackAt) : null,
          dispositionTrace: input.dispositionTrace ?? null,
          requestHash: hash,
          createdAt: now,
        },
        promise: effects.promise
          ? {
              loanId: loan!.id,
              customerId: customer.id,
              amount: formatMoney(input.promiseAmount!),
              dueDate: input.promiseDate!,
              createdBy: caller.userId,
              createdAt: now,
              updatedAt: now,
            }
          : undefined,
        loanStatus: effects.loanStatus
          ? { status: effects.loanStatus, loanIds: loan ? [loan.id] : facts.loans.filter(isOpenLoan).map((l) => l.id) }
          : undefined,
        doNotCall: effects.doNotCall ? customer.id : undefined,
        flagPhone: effects.flagPhone ? { customerId: customer.id, phone: dialled ?? customer.phone } : undefined,
        releaseFor: holder,
        audit: ctx,
      },
      now,
    );
    return {
      created: true,
      interaction: toInteractionView({ ...result.interaction, agentName: caller.userName }),
      promise: result.promise ? toPromiseView(result.promise) : undefined,
      eligibility: await eligibilityNow(services, customer.id, now),
    };
  } catch (err) {
    // Two deliveries of one call at once: the loser finds the winner's row and answers like a replay.
    const mapped = mapPostgresError(err);
    if (mapped?.code === "CONFLICT" && mapped.details?.some((d) => d.path === "/callId")) {
      const winner = (await loadPostCallFacts(db, input.callId, null, input.disposition)).existing;
      if (winner) return replay(services, winner, hash, caller);
    }
    throw err;
  }
}
