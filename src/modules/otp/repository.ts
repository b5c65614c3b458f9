import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "../../db/client.js";
import {
  emailVerifications,
  type OtpEvent,
  type OtpPurpose,
  otpLogs,
  passwordResetRequests,
} from "../../db/schema/index.js";

/**
 * Where each purpose keeps its codes. The two tables differ in what surrounds a code (a reset token,
 * a pending address) but share its life: a pending row with a wrong-attempt counter that ends
 * expired or blocked, which is what the functions below change.
 */
const CODE_TABLES = {
  password_reset: { table: passwordResetRequests, attempts: passwordResetRequests.otpAttempts },
  email_verification: { table: emailVerifications, attempts: emailVerifications.attempts },
} satisfies Record<OtpPurpose, unknown>;

/** Ends a pending code; false when it was no longer pending (a concurrent step ended it first). */
export async function closeCode(
  db: DbOrTx,
  purpose: OtpPurpose,
  id: string,
  status: "expired" | "blocked",
  now: Date,
): Promise<boolean> {
  const { table } = CODE_TABLES[purpose];
  const rows = await queryRows<{ id: string }>(
    db,
    sql`update ${table} set ${sql.identifier(table.status.name)} = ${status},
               ${sql.identifier(table.updatedAt.name)} = ${now.toISOString()}::timestamptz
        where ${table.id} = ${id} and ${table.status} = 'pending'
        returning ${table.id}`,
  );
  return rows.length > 0;
}

/** One wrong code on a pending code, counted atomically; the attempts so far, or undefined once it is not pending. */
export async function countWrongAttempt(
  db: DbOrTx,
  purpose: OtpPurpose,
  id: string,
  now: Date,
): Promise<number | undefined> {
  const { table, attempts } = CODE_TABLES[purpose];
  const rows = await queryRows<{ attempts: number }>(
    db,
    sql`update ${table} set ${sql.identifier(attempts.name)} = ${attempts} + 1,
               ${sql.identifier(table.updatedAt.name)} = ${now.toISOString()}::timestamptz
        where ${table.id} = ${id} and ${table.status} = 'pending'
        returning ${attempts} as attempts`,
  );
  return rows[0] === undefined ? undefined : Number(rows[0].attempts);
}

export async function logOtpEvent(
  db: DbOrTx,
  values: {
    event: OtpEvent;
    purpose?: OtpPurpose;
    userId: string | null;
    requestId: string | null;
    email: string | null;
    ip: string | null;
    userAgent: string | null;
    now: Date;
  },
): Promise<void> {
  await db.insert(otpLogs).values({
    event: values.event,
    purpose: values.purpose ?? "password_reset",
    userId: values.userId,
    requestId: values.requestId,
    email: values.email,
    ip: values.ip,
    userAgent: values.userAgent?.slice(0, 512) ?? null,
    createdAt: values.now,
  });
}
