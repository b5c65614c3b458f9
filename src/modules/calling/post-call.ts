import { createHash } from "node:crypto";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Static } from "typebox";
import { customerInteractions, customers, loans, paymentPromises, phoneFlags } from "../../db/schema/index.js";
import { mapPostgresError } from "../../lib/error-mapping.js";
import { AppError } from "../../lib/errors.js";
import { formatMoney, toCents } from "../../lib/money.js";
import { requirePhone } from "../../lib/phone.js";
import { addDays } from "../../lib/calendar.js";
import type { RequestContext, Services } from "../../services.js";
import { releaseClaims } from "../allocation/repository.js";
import { recordAudit } from "../audit/service.js";
import { findCustomer } from "../customers/repository.js";
import { isOpenLoan, todayIn } from "../loans/arrears.js";
import { toInteractionView } from "../interactions/service.js";
import { cancelPendingPromises, insertPromise } from "../promises/repository.js";
import { toPromiseView } from "../promises/service.js";
import { customerNotFound, eligibilityFor } from "./pre-call.js";
import { findCustomerByAnyPhone, findDisposition, loadCallContext } from "./repository.js";
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

async function findByCallId(services: Services, callId: string) {
  const [row] = await services.db
    .select()
    .from(customerInteractions)
    .where(eq(customerInteractions.callId, callId))
    .limit(1);
  return row;
}

/** The first result of a callId, rebuilt from what was stored. */
async function replay(
  services: Services,
  existing: typeof customerInteractions.$inferSelect,
  hash: string,
  caller: Caller,
) {
  if (existing.requestHash !== hash) {
    throw new AppError("CONFLICT", "This callId was already recorded with a different outcome", {
      details: [{ path: "/callId", message: "already used with a different body" }],
    });
  }
  const [promise] = await services.db
    .select()
    .from(paymentPromises)
    .where(eq(paymentPromises.interactionId, existing.id))
    .limit(1);
  const customer = (await findCustomer(services.db, existing.customerId))!;
  const now = services.clock.now();
  const context = await loadCallContext(services.db, customer.id, now);
  const agentName =
    existing.agentId === caller.userId
      ? caller.userName
      : (context.recentInteractions.find((i) => i.id === existing.id)?.agentName ?? null);
  return {
    created: false,
    interaction: toInteractionView({ ...existing, agentName }),
    promise: promise ? toPromiseView(promise) : undefined,
    eligibility: eligibilityFor(services, customer, context, now),
  };
}

/**
 * Records what happened on a call, with its effects, in one transaction. `callId` makes it
 * idempotent: the same call again returns the first result; the same callId with another body is 409.
 */
export async function recordPostCallOutcome(services: Services, input: Input, caller: Caller, ctx: RequestContext) {
  const { db, clock, config } = services;
  const hash = requestHash(input);
  const existing = await findByCallId(services, input.callId);
  if (existing) return replay(services, existing, hash, caller);

  if (!input.phone && !input.customerId) throw bad("/phone", "or customerId is required");
  const dialled = input.phone ? requirePhone(input.phone).e164 : undefined;
  const customer = input.customerId
    ? await findCustomer(db, input.customerId)
    : await findCustomerByAnyPhone(db, dialled!);
  if (!customer) throw customerNotFound();
  const disposition = await findDisposition(db, input.disposition);
  if (!disposition?.isActive) throw bad("/disposition", "is not a known disposition");

  const now = clock.now();
  const today = todayIn(customer.timezone, now);
  const isPromise = input.disposition === "promise_to_pay";
  if (!isPromise && (input.promiseAmount !== undefined || input.promiseDate !== undefined)) {
    throw bad("/promiseAmount", "is only for the promise_to_pay disposition");
  }
  if (isPromise) {
    if (!input.promiseAmount || toCents(input.promiseAmount) <= 0n)
      throw bad("/promiseAmount", "must be greater than 0");
    if (!input.promiseDate) throw bad("/promiseDate", "is required for a promise");
    const last = addDays(today, config.PROMISE_MAX_DAYS);
    if (input.promiseDate < today || input.promiseDate > last)
      throw bad("/promiseDate", `must be between ${today} and ${last}`);
  }
  if (input.disposition === "callback_requested" && !input.callbackAt)
    throw bad("/callbackAt", "is required for callback_requested");
  if (input.callbackAt && new Date(input.callbackAt).getTime() <= now.getTime())
    throw bad("/callbackAt", "must be in the future");

  const customerLoans = await db
    .select()
    .from(loans)
    .where(eq(loans.customerId, customer.id))
    .orderBy(asc(loans.nextDueDate));
  let loan = input.loanId ? customerLoans.find((l) => l.id === input.loanId) : undefined;
  if (input.loanId && !loan) throw bad("/loanId", "is not a loan of this customer");
  if (!loan && isPromise) {
    // Without a loan, a promise is for the most overdue open loan.
    loan = customerLoans
      .filter(isOpenLoan)
      .sort((a, b) => (a.nextDueDate ?? "9999").localeCompare(b.nextDueDate ?? "9999"))[0];
    if (!loan) throw bad("/loanId", "is required: the customer has no open loan to promise on");
  }

  try {
    const result = await db.transaction(async (tx) => {
      const [interaction] = await tx
        .insert(customerInteractions)
        .values({
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
        })
        .returning();
      let promise: typeof paymentPromises.$inferSelect | undefined;
      const touchLoans = (ids: string[], collectionStatus: "promise_to_pay" | "dispute") =>
        ids.length === 0
          ? Promise.resolve()
          : tx
              .update(loans)
              .set({ collectionStatus, updatedAt: now, version: sql`${loans.version} + 1` })
              .where(inArray(loans.id, ids));

      switch (input.disposition) {
        case "promise_to_pay":
          await cancelPendingPromises(tx, loan!.id, now);
          promise = await insertPromise(tx, {
            loanId: loan!.id,
            customerId: customer.id,
            interactionId: interaction!.id,
            amount: formatMoney(input.promiseAmount!),
            dueDate: input.promiseDate!,
            createdBy: caller.userId,
            createdAt: now,
            updatedAt: now,
          });
          await touchLoans([loan!.id], "promise_to_pay");
          break;
        case "dispute":
          await touchLoans(loan ? [loan.id] : customerLoans.filter(isOpenLoan).map((l) => l.id), "dispute");
          break;
        case "do_not_call":
        case "deceased":
          await tx
            .update(customers)
            .set({ doNotCall: true, updatedAt: now, version: sql`${customers.version} + 1` })
            .where(and(eq(customers.id, customer.id), eq(customers.doNotCall, false)));
          break;
        case "wrong_number":
          await tx
            .insert(phoneFlags)
            .values({
              customerId: customer.id,
              phone: dialled ?? customer.phone,
              interactionId: interaction!.id,
              createdAt: now,
            })
            .onConflictDoNothing();
          break;
      }
      // The caller's claim on this customer (next-call or a dialer batch) ends with the call it was for.
      const holder = caller.userId
        ? { userId: caller.userId }
        : caller.apiKeyId
          ? { apiKeyId: caller.apiKeyId }
          : undefined;
      if (holder) await releaseClaims(tx, holder, "call_recorded", now, { customerId: customer.id });
      await recordAudit(tx, ctx, {
        action: "call.outcome_recorded",
        entityType: "customer",
        entityId: customer.id,
        details: {
          callId: input.callId,
          disposition: input.disposition,
          interactionId: interaction!.id,
          loanId: loan?.id ?? null,
          promiseId: promise?.id ?? null,
        },
      });
      return { interaction: interaction!, promise };
    });
    const fresh = (await findCustomer(db, customer.id))!;
    const context = await loadCallContext(db, customer.id, now);
    return {
      created: true,
      interaction: toInteractionView({ ...result.interaction, agentName: caller.userName }),
      promise: result.promise ? toPromiseView(result.promise) : undefined,
      eligibility: eligibilityFor(services, fresh, context, now),
    };
  } catch (err) {
    // Two deliveries of one call at once: the loser finds the winner's row and answers like a replay.
    const mapped = mapPostgresError(err);
    if (mapped?.code === "CONFLICT" && mapped.details?.some((d) => d.path === "/callId")) {
      const winner = await findByCallId(services, input.callId);
      if (winner) return replay(services, winner, hash, caller);
    }
    throw err;
  }
}
