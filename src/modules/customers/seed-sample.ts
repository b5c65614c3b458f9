import { inArray, like, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import type { Seeder } from "../../db/seed.js";
import {
  customerInteractions,
  customers,
  loans,
  paymentPromises,
  payments,
  phoneFlags,
  users,
} from "../../db/schema/index.js";
import { findHistoryContradictions } from "./history-invariants.js";
import { DEFAULT_TIMEZONE, refreshCustomerArrears, todayIn } from "../loans/arrears.js";
import { planSampleLoan, type PlannedLoan, type LoanKind } from "./seed-sample-loans.js";
import {
  CITIES,
  EMPLOYERS,
  FEMALE_FIRST_NAMES,
  LAST_NAMES,
  MALE_FIRST_NAMES,
  MOBILE_PREFIXES,
  STREETS,
  formatCents,
  makeRng,
  type Rng,
  weighted,
} from "./seed-data.js";
import { LOCK_KEYS } from "../../db/lock-keys.js";

export const SAMPLE_CUSTOMER_COUNT = 50;
export const SAMPLE_REF_PREFIX = "DEMO-";
/** Serialises two instances seeding at start-up, so neither trips over the other's unique keys. */
const SAMPLE_LOCK_KEY = LOCK_KEYS.sampleCustomers;

/**
 * First loan of customer i, cycled so that fifty customers cover every bucket and terminal status
 * whatever the PRNG draws; extra loans are drawn by weight.
 */
const FIRST_LOAN_CYCLE: LoanKind[] = [
  "current",
  "1-30",
  "31-60",
  "61-90",
  "90+",
  "paid_off",
  "written_off",
  "current",
  "1-30",
  "current",
];
const EXTRA_LOAN_WEIGHTS: [LoanKind, number][] = [
  ["current", 40],
  ["1-30", 15],
  ["31-60", 10],
  ["61-90", 8],
  ["90+", 7],
  ["paid_off", 15],
  ["written_off", 5],
];
/** Customers who asked not to be called: their last call says so and no call follows it. */
const DO_NOT_CALL = new Set([9, 22]);
/** A customer working abroad: arrears age at midnight in Paris, which is why timezone is stored. */
const ABROAD = new Map([[14, "Europe/Paris"]]);
const CUSTOMER_NOTES = [
  "Préfère être contacté après 17h",
  "Contacter de préférence par SMS",
  "Joignable le week-end uniquement",
  null,
  null,
  null,
];

export interface PlannedCustomer {
  row: typeof customers.$inferInsert;
  loans: PlannedLoan[];
}

const digits = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.int(0, 9)).join("");
const slug = (s: string) =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-zA-Z]/g, "")
    .toLowerCase();

/**
 * The whole sample, computed before touching the database: deterministic for a given `now` and
 * agent list, and relative to `now` so a loan planned 45 days late is 45 days late on any day.
 */
export function planSampleCustomers(now: Date, agentIds: (string | null)[], graceDays = 2): PlannedCustomer[] {
  const rng = makeRng(20261121);
  const today = todayIn(DEFAULT_TIMEZONE, now);
  const usedNames = new Set<string>();
  const usedPhones = new Set<string>();
  const counters = { call: 0, overdue: 0, late: 0, closed: 0, outcome: 0 };
  const agents = agentIds.length > 0 ? agentIds : [null];
  const phone = (prefix: string, length: number) => {
    let candidate: string;
    do candidate = `+213${prefix}${digits(rng, length)}`;
    while (usedPhones.has(candidate));
    usedPhones.add(candidate);
    return candidate;
  };

  const planned: PlannedCustomer[] = [];
  for (let i = 1; i <= SAMPLE_CUSTOMER_COUNT; i++) {
    const female = rng.next() < 0.5;
    let first: string;
    let last: string;
    do {
      first = rng.pick(female ? FEMALE_FIRST_NAMES : MALE_FIRST_NAMES);
      last = rng.pick(LAST_NAMES);
    } while (usedNames.has(`${first} ${last}`));
    usedNames.add(`${first} ${last}`);
    const city = rng.pick(CITIES);
    const employer = rng.next() < 0.9 ? rng.pick(EMPLOYERS) : null;
    const incomeCents = employer === "Retraité (CNR)" ? rng.int(50, 120) * 50_000 : rng.int(64, 560) * 50_000;
    const altRoll = rng.next();
    const altPhone = altRoll < 0.2 ? phone(city.area, 6) : altRoll < 0.35 ? phone(rng.pick(MOBILE_PREFIXES), 7) : null;
    const email =
      rng.next() < 0.6
        ? `${slug(first)}.${slug(last)}${rng.next() < 0.5 ? rng.int(1, 99) : ""}@${rng.pick(["gmail.com", "yahoo.fr", "hotmail.com", "outlook.fr"])}`
        : null;
    const doNotCall = DO_NOT_CALL.has(i);
    const timezone = ABROAD.get(i) ?? DEFAULT_TIMEZONE;

    const loanCount = 1 + (i % 3 === 0 ? 1 : 0) + (i % 7 === 0 ? 1 : 0);
    const customerLoans: PlannedLoan[] = [];
    for (let k = 1; k <= loanCount; k++) {
      const kind = k === 1 ? FIRST_LOAN_CYCLE[(i - 1) % FIRST_LOAN_CYCLE.length]! : weighted(rng, EXTRA_LOAN_WEIGHTS);
      customerLoans.push(
        planSampleLoan({
          rng,
          kind,
          today,
          now,
          loanNumber: `DEMO-L-${String(i).padStart(4, "0")}-${k}`,
          agents,
          counters,
          doNotCall,
          hasEmail: email !== null,
          graceDays,
        }),
      );
    }
    const firstDisbursed = customerLoans.map((l) => l.row.disbursedAt!).sort()[0]!;
    const createdAt = new Date(Date.parse(`${firstDisbursed}T10:00:00+01:00`) - rng.int(1, 20) * 86_400_000);

    planned.push({
      row: {
        externalRef: `${SAMPLE_REF_PREFIX}${String(i).padStart(4, "0")}`,
        fullName: `${first} ${last}`,
        nationalId: `${female ? 2 : 1}${digits(rng, 17)}`,
        dateOfBirth: `${rng.int(1958, 2001)}-${String(rng.int(1, 12)).padStart(2, "0")}-${String(rng.int(1, 28)).padStart(2, "0")}`,
        phone: phone(rng.pick(MOBILE_PREFIXES), 7),
        altPhone,
        email,
        address: `${rng.int(1, 120)} ${rng.pick(STREETS)}`,
        city: city.name,
        employer,
        monthlyIncome: formatCents(incomeCents),
        preferredLanguage: rng.pick(city.languages),
        timezone,
        doNotCall,
        notes: doNotCall ? "Ne plus appeler à sa demande : SMS et courrier uniquement" : rng.pick(CUSTOMER_NOTES),
        createdAt,
        updatedAt: now,
      },
      loans: customerLoans,
    });
  }
  return planned;
}

async function demoAgentIds(db: Db): Promise<string[]> {
  const rows = await db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(inArray(users.email, ["agent1@demo.crm.dz", "agent2@demo.crm.dz"]));
  return rows.sort((a, b) => a.email.localeCompare(b.email)).map((r) => r.id);
}

/** About fifty customers with loans in every bucket, payments and a contact history, added once. */
export const sampleCustomersSeeder: Seeder = {
  name: "sample customers",
  async run({ services, log }) {
    if (services.config.isProduction) {
      log("sample customers: skipped in production");
      return { created: 0 };
    }
    const plan = planSampleCustomers(
      services.clock.now(),
      await demoAgentIds(services.db),
      services.config.PROMISE_GRACE_DAYS,
    );
    return services.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${SAMPLE_LOCK_KEY})`);
      const existing = await tx
        .select({ id: customers.id })
        .from(customers)
        .where(like(customers.externalRef, `${SAMPLE_REF_PREFIX}%`))
        .limit(1);
      if (existing.length > 0) return { created: 0 };

      const inserted = await tx
        .insert(customers)
        .values(plan.map((c) => c.row))
        .returning({ id: customers.id, externalRef: customers.externalRef });
      const customerIds = new Map(inserted.map((r) => [r.externalRef, r.id]));
      const loanRows = plan.flatMap((c) =>
        c.loans.map((l) => ({ ...l.row, customerId: customerIds.get(c.row.externalRef!)! })),
      );
      const insertedLoans = await tx
        .insert(loans)
        .values(loanRows)
        .returning({ id: loans.id, loanNumber: loans.loanNumber, customerId: loans.customerId });
      const loanIds = new Map(insertedLoans.map((r) => [r.loanNumber, r]));

      const plannedLoans = plan.flatMap((c) => c.loans);
      const paymentRows = plannedLoans.flatMap((l) =>
        l.payments.map((p) => ({ ...p, loanId: loanIds.get(l.row.loanNumber)!.id })),
      );
      const interactionRows = plannedLoans.flatMap((l) => {
        const { id, customerId } = loanIds.get(l.row.loanNumber)!;
        return l.interactions.map((x) => ({ ...x, loanId: id, customerId }));
      });
      if (paymentRows.length > 0) await tx.insert(payments).values(paymentRows);
      const insertedInteractions =
        interactionRows.length > 0
          ? await tx
              .insert(customerInteractions)
              .values(interactionRows)
              .returning({ id: customerInteractions.id, callId: customerInteractions.callId })
          : [];
      const interactionIds = new Map(insertedInteractions.map((r) => [r.callId, r.id]));
      // The rows post-call writes with a disposition, so the sample is a state the API could reach.
      const promiseRows = plannedLoans.flatMap((l) => {
        const { id, customerId } = loanIds.get(l.row.loanNumber)!;
        return l.promises.map((p) => ({
          loanId: id,
          customerId,
          interactionId: interactionIds.get(p.callId) ?? null,
          amount: p.amount,
          dueDate: p.dueDate,
          status: p.status,
          createdBy: interactionRows.find((x) => x.callId === p.callId)?.agentId ?? null,
          createdAt: p.createdAt,
          resolvedAt: p.resolvedAt,
          updatedAt: p.resolvedAt ?? p.createdAt,
        }));
      });
      if (promiseRows.length > 0) await tx.insert(paymentPromises).values(promiseRows);
      const flagRows = plan.flatMap((c) => {
        const customerId = customerIds.get(c.row.externalRef!)!;
        return c.loans.flatMap((l) =>
          l.interactions
            .filter((x) => x.disposition === "wrong_number")
            .map((x) => ({
              customerId,
              phone: c.row.phone,
              interactionId: interactionIds.get(x.callId ?? null) ?? null,
              createdAt: x.startedAt,
            })),
        );
      });
      if (flagRows.length > 0) await tx.insert(phoneFlags).values(flagRows).onConflictDoNothing();
      await refreshCustomerArrears(tx, [...customerIds.values()]);
      const problems = await findHistoryContradictions(tx, { customerIds: [...customerIds.values()] });
      if (problems.length > 0) throw new Error(`the sample data contradicts itself: ${problems.join("; ")}`);
      log(
        `sample customers: ${inserted.length} customers, ${insertedLoans.length} loans, ` +
          `${paymentRows.length} payments, ${interactionRows.length} interactions, ${promiseRows.length} promises`,
      );
      return { created: inserted.length };
    });
  },
};
