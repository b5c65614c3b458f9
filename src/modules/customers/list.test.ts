import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../lib/clock.js";
import { FAST_AUTH_ENV } from "../../../test/support/accounts.js";
import { buildTestApp, type TestApp } from "../../../test/support/app.js";
import { createCustomer, createLoan, daysAgo, LONG_SESSION_ENV, staffSessions } from "../../../test/support/crm.js";

const clock = manualClock(new Date("2026-06-15T09:00:00Z"));
let t: TestApp;
let as: Awaited<ReturnType<typeof staffSessions>>;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await buildTestApp({ ...FAST_AUTH_ENV, ...LONG_SESSION_ENV }, { clock });
  as = await staffSessions(t.app);
  const sup = as.supervisor.headers;
  const now = clock.now();
  // A small portfolio with one customer per bucket, searchable fields and statuses.
  const make = async (
    key: string,
    fields: Record<string, unknown>,
    dpd?: number,
    overdue = "5500.00",
    loanFields: Record<string, unknown> = {},
  ) => {
    const c = await createCustomer(t.app, sup, fields);
    ids[key] = c.id;
    if (dpd !== undefined) {
      await createLoan(t.app, sup, c.id, {
        nextDueDate: daysAgo(now, dpd),
        amountOverdue: dpd > 0 ? overdue : "0",
        ...loanFields,
      });
    }
  };
  await make(
    "amina",
    {
      fullName: "Amina Haddad",
      phone: "0661 23 45 67",
      city: "Alger",
      email: "amina.h@mail.dz",
      nationalId: "109870123456789012",
      externalRef: "REF-AMINA",
    },
    10,
    "5500.00",
  );
  await make(
    "karim",
    { fullName: "Karim Boudiaf", phone: "0770 11 22 33", altPhone: "0550 99 88 77", city: "Oran" },
    45,
    "16500.00",
    { collectionStatus: "dispute" },
  );
  await make("yacine", { fullName: "Yacine Haddad", phone: "0555 44 33 22", city: "Alger" }, 75, "22000.00");
  await make("lina", { fullName: "Lina Meziane", phone: "0662 00 00 01", city: "Annaba" }, 120, "40000.00");
  await make("omar", { fullName: "Omar Cherif", phone: "0662 00 00 02", city: "Oran" }, -5);
  await make("nour", { fullName: "Nour El Houda", phone: "0662 00 00 03", city: "Blida" });
});
afterAll(async () => t.close());

const list = async (query: string) => {
  const res = await t.app.inject({ method: "GET", url: `/api/customers?${query}`, headers: as.agent.headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    data: { id: string; fullName: string; daysPastDue: number; bucket: string; totalOverdue: string }[];
    page: { limit: number; nextCursor: string | null };
  };
};
const names = (r: Awaited<ReturnType<typeof list>>) => r.data.map((c) => c.fullName);

describe("GET /api/customers", () => {
  it("finds a customer by phone in three formats, including the alternative number", async () => {
    for (const q of ["0661 23 45 67", "+213661234567", "213661234567"])
      expect(names(await list(`q=${encodeURIComponent(q)}`))).toEqual(["Amina Haddad"]);
    expect(names(await list(`q=${encodeURIComponent("0550998877")}`))).toEqual(["Karim Boudiaf"]);
  });

  it("searches by name part (any case), email, external ref and national id", async () => {
    expect(names(await list("q=haddad"))).toEqual(["Amina Haddad", "Yacine Haddad"]);
    expect(names(await list("q=AMINA.H%40mail.dz"))).toEqual(["Amina Haddad"]);
    expect(names(await list("q=REF-AMINA"))).toEqual(["Amina Haddad"]);
    expect(names(await list("q=109870123456789012"))).toEqual(["Amina Haddad"]);
    expect(names(await list("q=100%25"))).toEqual([]);
  });

  it("filters by city, bucket, minimum days past due, overdue and collection status", async () => {
    expect(names(await list("city=Oran"))).toEqual(["Karim Boudiaf", "Omar Cherif"]);
    expect(names(await list("bucket=1-30"))).toEqual(["Amina Haddad"]);
    expect(names(await list("bucket=31-60"))).toEqual(["Karim Boudiaf"]);
    expect(names(await list("bucket=61-90"))).toEqual(["Yacine Haddad"]);
    expect(names(await list("bucket=90%2B"))).toEqual(["Lina Meziane"]);
    expect(names(await list("bucket=current")).sort()).toEqual([...names(await list("bucket=current"))].sort());
    expect(names(await list("bucket=current"))).toEqual(expect.arrayContaining(["Omar Cherif", "Nour El Houda"]));
    expect(names(await list("minDaysPastDue=45"))).toEqual(["Karim Boudiaf", "Lina Meziane", "Yacine Haddad"]);
    expect(names(await list("hasOverdue=true"))).toHaveLength(4);
    expect(names(await list("hasOverdue=false"))).toEqual(expect.arrayContaining(["Omar Cherif", "Nour El Houda"]));
    expect(names(await list("collectionStatus=dispute"))).toEqual(["Karim Boudiaf"]);
    expect(names(await list("city=Alger&minDaysPastDue=30"))).toEqual(["Yacine Haddad"]);
  });

  it("sorts by days past due and by amount overdue", async () => {
    expect(names(await list("sort=daysPastDue&limit=4"))).toEqual([
      "Lina Meziane",
      "Yacine Haddad",
      "Karim Boudiaf",
      "Amina Haddad",
    ]);
    expect(names(await list("sort=amountOverdue&limit=2"))).toEqual(["Lina Meziane", "Yacine Haddad"]);
    const byDate = await list("sort=createdAt&limit=1");
    expect(byDate.data).toHaveLength(1);
  });

  it("pages with a keyset cursor: no overlap, no gap, null at the end", async () => {
    for (const sort of ["name", "createdAt", "daysPastDue", "amountOverdue"]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await list(`sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
        expect(page.page.limit).toBe(2);
        seen.push(...page.data.map((c) => c.id));
        cursor = page.page.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      expect(new Set(seen).size, sort).toBe(seen.length);
      expect(seen.length, sort).toBe(6);
    }
  });

  it("rejects a limit above 100, a bad cursor and unknown filters with 400", async () => {
    for (const query of ["limit=101", "limit=0", "cursor=garbage", "bucket=2-3", "sort=age"]) {
      const res = await t.app.inject({ method: "GET", url: `/api/customers?${query}`, headers: as.agent.headers });
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code).toBe(query.startsWith("cursor") ? "INVALID_CURSOR" : "VALIDATION_ERROR");
    }
  });

  it("defaults to 25 per page", async () => {
    expect((await list("")).page.limit).toBe(25);
  });
});
