import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLogs, customers, loans } from "../../db/schema/index.js";
import { manualClock } from "../../lib/clock.js";
import { daysAgo, useCrmTestApp } from "../../../test/support/crm.js";

const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
const ctx = useCrmTestApp(clock);

const importRows = (rows: unknown[], query = "", headers = ctx.as.supervisor.headers) =>
  ctx.app.inject({ method: "POST", url: `/api/customers/import${query}`, headers, payload: { customers: rows } });

const row = (n: number, extra: Record<string, unknown> = {}) => ({
  externalRef: `IMP-${n}`,
  fullName: `Importé ${n}`,
  phone: `0661 ${String(n)
    .padStart(6, "0")
    .replace(/(\d\d)(\d\d)(\d\d)/, "$1 $2 $3")}`,
  city: "Constantine",
  loans: [
    {
      loanNumber: `IMP-L-${n}`,
      productName: "Auto loan",
      principal: "800000",
      termMonths: 48,
      installmentAmount: "21000",
      outstandingBalance: "500000",
      amountOverdue: n % 2 ? "42000" : "0",
      nextDueDate: daysAgo(clock.now(), n % 2 ? 50 : -10),
    },
  ],
  ...extra,
});

describe("POST /api/customers/import", () => {
  it("dryRun validates and counts without writing", async () => {
    const res = await importRows([row(1), row(2)], "?dryRun=true");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      dryRun: true,
      customers: { created: 2, updated: 0 },
      loans: { created: 2, updated: 0 },
    });
    expect(
      await ctx.app.database.db
        .select()
        .from(customers)
        .where(inArray(customers.externalRef, ["IMP-1", "IMP-2"])),
    ).toHaveLength(0);
  });

  it("imports customers with loans in one go and derives their arrears", async () => {
    const res = await importRows([row(1), row(2), row(3)]);
    expect(res.json()).toEqual({
      dryRun: false,
      customers: { created: 3, updated: 0 },
      loans: { created: 3, updated: 0 },
    });
    const [c1] = await ctx.app.database.db.select().from(customers).where(eq(customers.externalRef, "IMP-1"));
    expect(c1).toMatchObject({
      phone: "+213661000001",
      totalOverdue: "42000.00",
      oldestDueDate: daysAgo(clock.now(), 50),
    });
    const [l1] = await ctx.app.database.db.select().from(loans).where(eq(loans.loanNumber, "IMP-L-1"));
    expect(l1).toMatchObject({
      customerId: c1!.id,
      missedInstallments: 2,
      paymentStatus: "overdue",
      collectionStatus: "in_collection",
    });
    const audits = await ctx.app.database.db.select().from(auditLogs).where(eq(auditLogs.action, "customer.imported"));
    expect(audits.length).toBeGreaterThanOrEqual(1);
  });

  it("upserts by externalRef and loanNumber, keeping fields the file leaves out", async () => {
    await ctx.app.database.db
      .update(customers)
      .set({ notes: "VIP", doNotCall: true })
      .where(eq(customers.externalRef, "IMP-2"));
    const res = await importRows([
      row(2, { city: "Sétif", loans: [{ ...row(2).loans[0], outstandingBalance: "480000" }] }),
      row(4),
    ]);
    expect(res.json()).toEqual({
      dryRun: false,
      customers: { created: 1, updated: 1 },
      loans: { created: 1, updated: 1 },
    });
    const [c2] = await ctx.app.database.db.select().from(customers).where(eq(customers.externalRef, "IMP-2"));
    expect(c2).toMatchObject({ city: "Sétif", notes: "VIP", doNotCall: true, version: 2 });
    const [l2] = await ctx.app.database.db.select().from(loans).where(eq(loans.loanNumber, "IMP-L-2"));
    expect(l2?.outstandingBalance).toBe("480000.00");
  });

  it("rejects the whole import for one bad row, listing every problem by index and field", async () => {
    const res = await importRows([
      row(10),
      row(11, { phone: "12345" }),
      row(12, { timezone: "Nowhere/City" }),
      row(10),
      row(13, { loans: [{ ...row(13).loans[0], amountOverdue: "999999999" }] }),
    ]);
    expect(res.statusCode).toBe(400);
    const details = res.json().error.details as { path: string }[];
    expect(details.map((d) => d.path)).toEqual(
      expect.arrayContaining([
        "/customers/1/phone",
        "/customers/2/timezone",
        "/customers/3/externalRef",
        "/customers/3/loans/0/loanNumber",
        "/customers/4/loans/0/amountOverdue",
      ]),
    );
    expect(await ctx.app.database.db.select().from(customers).where(eq(customers.externalRef, "IMP-10"))).toHaveLength(
      0,
    );
  });

  it("schema errors name the row too, and limits and roles apply", async () => {
    const res = await importRows([row(20), { fullName: "No ref", phone: "0661000000" }]);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual(
      expect.arrayContaining([{ path: "/customers/1/externalRef", message: "is required" }]),
    );
    expect((await importRows([row(21)], "", ctx.as.agent.headers)).statusCode).toBe(403);
    expect((await importRows([])).statusCode).toBe(400);
  });

  it("takes 5,000 customers in one request", async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => row(100_000 + i));
    const res = await importRows(rows);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.json().customers.created).toBe(5000);
    expect((await importRows([...rows, row(1)], "?dryRun=true")).statusCode).toBe(400);
  }, 60_000);
});
