import type { CollectionStatus, PaymentStatus, customerInteractions, loans, payments } from "../../db/schema/index.js";
import { daysBetween } from "../loans/arrears.js";
import { LOAN_PRODUCTS, PAYMENT_METHOD_WEIGHTS, type Rng, TERMS_MONTHS, formatCents, weighted } from "./seed-data.js";
import { addDays, addMonths } from "../../lib/calendar.js";

export type LoanKind = "current" | "1-30" | "31-60" | "61-90" | "90+" | "paid_off" | "written_off";

/** A promise to pay, tied to the call that made it (by callId) as post-call ties them. */
export interface PlannedPromise {
  callId: string;
  amount: string;
  dueDate: string;
  status: "pending" | "kept" | "broken";
  createdAt: Date;
  resolvedAt: Date | null;
}

export interface PlannedLoan {
  row: Omit<typeof loans.$inferInsert, "customerId">;
  payments: Omit<typeof payments.$inferInsert, "loanId">[];
  interactions: Omit<typeof customerInteractions.$inferInsert, "customerId" | "loanId">[];
  promises: PlannedPromise[];
}

export interface LoanPlanInput {
  rng: Rng;
  kind: LoanKind;
  /** YYYY-MM-DD in Africa/Algiers: the day arrears are measured against. */
  today: string;
  now: Date;
  loanNumber: string;
  agents: (string | null)[];
  /** Shared across loans, so statuses rotate over the whole sample instead of per customer. */
  counters: { call: number; overdue: number; late: number; closed: number; outcome: number };
  doNotCall: boolean;
  hasEmail: boolean;
  /** PROMISE_GRACE_DAYS: a broken promise is one past its due date plus these days. */
  graceDays: number;
}

/** Days past due per bucket, kept two days inside the edges so a customer abroad stays in the bucket. */
const DPD_RANGE: Record<"1-30" | "31-60" | "61-90", [number, number]> = {
  "1-30": [3, 27],
  "31-60": [34, 57],
  "61-90": [64, 87],
};
const EARLY_STATUSES: CollectionStatus[] = [
  "in_collection",
  "promise_to_pay",
  "payment_plan",
  "dispute",
  "in_collection",
];
const LATE_STATUSES: CollectionStatus[] = ["legal", "in_collection", "payment_plan", "dispute"];
const FAILED_ATTEMPTS = ["no_answer", "busy", "voicemail"] as const;

export function planSampleLoan(input: LoanPlanInput): PlannedLoan {
  const { rng, kind, today, now, counters } = input;
  const term = rng.pick(TERMS_MONTHS);
  const principalCents = rng.int(60, 2500) * 100_000;
  const rateBp = rng.int(500, 1400);
  // Flat interest over the term, as consumer credit is quoted here; rounded once, to the centime.
  const installmentCents = Math.round((principalCents * (1 + (rateBp / 10_000) * (term / 12))) / term);

  let nextDueDate: string | null;
  let paid: number;
  let missed = 0;
  let paymentStatus: PaymentStatus;
  let collectionStatus: CollectionStatus;
  if (kind === "paid_off") {
    nextDueDate = null;
    paid = term;
    paymentStatus = "paid_off";
    collectionStatus = counters.closed++ % 3 === 2 ? "settled" : "closed";
  } else if (kind === "current") {
    nextDueDate = addDays(today, rng.int(2, 27));
    paid = rng.int(0, term - 1);
    paymentStatus = "current";
    collectionStatus = "none";
  } else {
    let dpd: number;
    if (kind === "90+") {
      // Alternating halves, so "overdue" and "defaulted" both appear among the very late.
      dpd = counters.late++ % 2 === 0 ? rng.int(95, 170) : rng.int(200, 420);
    } else if (kind === "written_off") {
      dpd = rng.int(400, 900);
    } else {
      const [min, max] = DPD_RANGE[kind];
      dpd = rng.int(min, max);
    }
    nextDueDate = addDays(today, -dpd);
    while (missed < term && addMonths(nextDueDate, missed) <= today) missed++;
    paid = rng.int(0, term - missed);
    if (kind === "written_off") {
      paymentStatus = "written_off";
      collectionStatus = "closed";
    } else {
      paymentStatus = dpd > 180 ? "defaulted" : "overdue";
      const statuses = kind === "90+" ? LATE_STATUSES : EARLY_STATUSES;
      collectionStatus = statuses[counters.overdue++ % statuses.length]!;
      // A customer who asked not to be called made no promise on the phone (the do_not_call call below
      // is their last contact); which loan lands here depends on the clock, as the history never lies
      // in the clock's future.
      if (input.doNotCall && collectionStatus === "promise_to_pay") collectionStatus = "in_collection";
    }
  }
  const firstDue =
    nextDueDate !== null ? addMonths(nextDueDate, -paid) : addMonths(addDays(today, -rng.int(10, 300)), -term + 1);
  const disbursedAt = addMonths(firstDue, -1);
  const outstandingCents = kind === "paid_off" ? 0 : (term - paid) * installmentCents;
  const amountOverdueCents = missed * installmentCents;

  const agent = () => input.agents[counters.call % input.agents.length] ?? null;
  const at = (date: string, hour: number) => {
    const instant = new Date(
      `${date}T${String(hour).padStart(2, "0")}:${String(rng.int(0, 59)).padStart(2, "0")}:00+01:00`,
    );
    // Nothing in the history may lie in the future of the clock that seeded it.
    return instant.getTime() < now.getTime() ? instant : new Date(now.getTime() - rng.int(5, 120) * 60_000);
  };

  const paymentRows: PlannedLoan["payments"] = [];
  for (let j = Math.max(0, paid - 3); j < paid; j++) {
    const method = weighted(rng, PAYMENT_METHOD_WEIGHTS);
    paymentRows.push({
      amount: formatCents(installmentCents),
      paidAt: at(addDays(addMonths(firstDue, j), rng.int(-3, 4)), rng.int(9, 16)),
      method,
      reference: `${method.toUpperCase()}-${input.loanNumber}-${j + 1}`,
      recordedBy: method === "cash" || method === "cheque" ? agent() : null,
    });
  }

  const interactions: PlannedLoan["interactions"] = [];
  const call = (
    date: string,
    disposition: string,
    notes: string | null,
    direction: "inbound" | "outbound" = "outbound",
  ) => {
    counters.call++;
    const silent = disposition === "no_answer" || disposition === "busy";
    return interactions[
      interactions.push({
        agentId: agent(),
        channel: "call",
        direction,
        callId: `DEMO-CALL-${String(counters.call).padStart(5, "0")}`,
        startedAt: at(date, rng.int(9, 17)),
        durationSeconds: silent ? rng.int(0, 25) : disposition === "voicemail" ? rng.int(20, 45) : rng.int(60, 540),
        disposition,
        notes,
      }) - 1
    ]!;
  };
  const promises: PlannedPromise[] = [];
  /** A promise_to_pay call and the promise row post-call would have written with it. */
  const promiseCall = (
    date: string,
    amount: string,
    dueDate: string,
    status: PlannedPromise["status"],
    resolvedAt: Date | null,
    notes: string,
  ) => {
    const made = call(date, "promise_to_pay", notes);
    promises.push({ callId: made.callId!, amount, dueDate, status, createdAt: made.startedAt, resolvedAt });
    return made;
  };
  const other = (
    channel: "sms" | "email" | "visit" | "note",
    date: string,
    notes: string,
    disposition: string | null = null,
  ) =>
    interactions.push({
      agentId: agent(),
      channel,
      direction: "outbound",
      startedAt: at(date, rng.int(9, 17)),
      disposition,
      notes,
    });

  const installment = formatCents(installmentCents);
  const overdue = formatCents(amountOverdueCents);
  if (kind === "current" && rng.next() < 0.35 && nextDueDate) {
    other("sms", addDays(today, -1), `Rappel : votre échéance de ${installment} DZD est due le ${nextDueDate}.`);
  } else if (kind === "paid_off" && rng.next() < 0.6) {
    const last = addMonths(firstDue, term - 1);
    call(
      addDays(last, 2),
      "paid",
      "Confirme le règlement du solde ; demande une attestation de remboursement.",
      "inbound",
    );
    other("sms", addDays(last, 3), "Votre crédit est soldé. Merci de votre confiance.");
  } else if (nextDueDate && kind !== "current" && kind !== "paid_off") {
    const dpd = Math.max(1, daysBetween(nextDueDate, today));
    const day = (fraction: number) => addDays(nextDueDate, Math.max(1, Math.round(dpd * fraction)));
    other("sms", day(0.1), `Rappel : échéance de ${installment} DZD du ${nextDueDate} impayée. Merci de régulariser.`);
    const attempts = rng.int(0, 2);
    for (let a = 0; a < attempts; a++) call(day(0.2 + a * 0.15), rng.pick(FAILED_ATTEMPTS), null);
    if (input.doNotCall) {
      call(day(0.6), "do_not_call", "Demande à ne plus être appelé ; contact par SMS ou courrier uniquement.");
    } else if (collectionStatus === "promise_to_pay") {
      promiseCall(
        day(0.7),
        overdue,
        addDays(today, 7),
        "pending",
        null,
        `Promet de payer ${overdue} DZD avant le ${addDays(today, 7)}.`,
      );
    } else if (collectionStatus === "payment_plan") {
      const asked = call(
        day(0.6),
        "callback_requested",
        "Demande un échelonnement ; rappel convenu avec le superviseur.",
      );
      asked.callbackAt = new Date(asked.startedAt.getTime() + 2 * 86_400_000);
      other("note", day(0.8), `Plan de paiement accordé : arriérés de ${overdue} DZD en 6 mensualités.`);
    } else if (collectionStatus === "dispute") {
      call(day(0.6), "dispute", "Conteste les pénalités de retard ; demande le relevé détaillé.", "inbound");
      if (input.hasEmail) other("email", day(0.7), "Relevé de compte détaillé envoyé par e-mail.");
    } else if (collectionStatus === "legal") {
      other("visit", day(0.5), "Visite au domicile : refuse tout règlement amiable.", "refused_to_pay");
      other("note", day(0.8), "Dossier transmis au service contentieux.");
    } else if (kind === "written_off") {
      other("note", day(0.9), "Créance passée en perte après épuisement des recours amiables.");
    } else {
      // Rotated, so the sample shows every worklist reason: broken promises and due callbacks among them.
      const outcome = (
        [
          "broken_promise",
          "callback_due",
          "kept_promise",
          "callback_later",
          "wrong_number",
          "refused_to_pay",
          "voicemail",
        ] as const
      )[counters.outcome++ % 7];
      if (outcome === "broken_promise" && dpd >= input.graceDays + 10) {
        // Promised nine days ago for four days ago: past its grace days, broken the day after.
        const due = addDays(today, -(input.graceDays + 3));
        const brokenAt = new Date(
          Math.min(Date.parse(`${addDays(due, input.graceDays + 1)}T00:05:00+01:00`), now.getTime() - 60_000),
        );
        promiseCall(
          addDays(due, -5),
          installment,
          due,
          "broken",
          brokenAt,
          `Promet de payer ${installment} DZD le ${due}.`,
        );
      } else if (outcome === "kept_promise" && paymentRows.length > 0) {
        // The last installment paid was late: promised three days before, and paid as promised.
        const paidAt = paymentRows.at(-1)!.paidAt as Date;
        const promisedAt = new Date(paidAt.getTime() - 3 * 86_400_000);
        promiseCall(
          promisedAt.toISOString().slice(0, 10),
          installment,
          addDays(paidAt.toISOString().slice(0, 10), 1),
          "kept",
          paidAt,
          `Promet de régler l'échéance de ${installment} DZD.`,
        );
        const made = interactions.at(-1)!;
        made.startedAt = promisedAt;
        promises.at(-1)!.createdAt = promisedAt;
        call(day(0.8), "refused_to_pay", null);
      } else if (outcome === "callback_due" || outcome === "callback_later") {
        const asked = call(day(0.8), "callback_requested", "Demande à être rappelé.");
        if (outcome === "callback_due") {
          // Asked for 45 minutes ago and not called since: first on today's worklist.
          asked.callbackAt = new Date(now.getTime() - 45 * 60_000);
          if (asked.startedAt.getTime() >= asked.callbackAt.getTime())
            asked.startedAt = new Date(asked.callbackAt.getTime() - 3 * 3_600_000);
        } else {
          asked.callbackAt = new Date(`${addDays(today, 1)}T10:00:00+01:00`);
        }
      } else if (outcome === "wrong_number") {
        call(day(0.8), "wrong_number", "Numéro attribué à une autre personne ; essayer le numéro secondaire.");
      } else {
        call(day(0.8), outcome === "voicemail" ? "voicemail" : "refused_to_pay", null);
      }
    }
  }

  return {
    row: {
      loanNumber: input.loanNumber,
      productName: rng.pick(LOAN_PRODUCTS),
      principal: formatCents(principalCents),
      interestRate: (rateBp / 10_000).toFixed(4),
      termMonths: term,
      installmentAmount: installment,
      currency: "DZD",
      disbursedAt,
      outstandingBalance: formatCents(outstandingCents),
      amountOverdue: formatCents(amountOverdueCents),
      nextDueDate,
      missedInstallments: missed,
      paymentStatus,
      collectionStatus,
    },
    payments: paymentRows,
    interactions,
    promises,
  };
}
