/**
 * The agent's whole calling loop with the keyboard alone (issue 16): sign in, next call (Alt+N), pick
 * an outcome, save and next call, skip. Every control is reached with Tab, as a keyboard user would,
 * and operated with Enter or the arrow keys; nothing is clicked.
 */
import { and, eq } from "drizzle-orm";
import type { Locator, Page } from "playwright-core";
import { expect, it } from "vitest";
import { auditLogs, customerInteractions } from "../src/db/schema/index.js";
import { STRONG_PASSWORD } from "./support/accounts.js";
import { createCustomer, createLoan, daysAgo } from "./support/crm.js";
import { runInChromium, useSupervisorConsole } from "./support/supervisor-console.js";

const ctx = useSupervisorConsole();

/** Presses Tab until `target` has the focus: proof that it is reachable from the keyboard. */
async function tabTo(page: Page, target: Locator, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement)) return;
  }
  throw new Error(`${target} was not reached with ${max} presses of Tab`);
}

runInChromium("the calling loop with the keyboard alone", () => {
  it("signs in, takes the next call, records an outcome, saves and takes the next, skips", async () => {
    const admin = await ctx.headersOf(ctx.adminEmail);
    const names = ["Kheira Keyboard", "Lotfi Keyboard", "Meriem Keyboard"];
    const customers = [];
    for (const [i, fullName] of names.entries()) {
      const c = await createCustomer(ctx.t.app, admin, { fullName });
      await createLoan(ctx.t.app, admin, c.id, {
        amountOverdue: `${(9 - i) * 10_000}.00`,
        nextDueDate: daysAgo(new Date(), 40 - i * 10),
        missedInstallments: 1,
        collectionStatus: "in_collection",
        paymentStatus: "overdue",
      });
      customers.push(c);
    }

    const page = await ctx.newPage();
    await page.goto(`${ctx.base}/sign-in`);
    await tabTo(page, page.getByLabel("Email or phone"));
    await page.keyboard.type(ctx.agentEmail);
    await tabTo(page, page.getByLabel("Password"));
    await page.keyboard.type(STRONG_PASSWORD);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Find a customer" }).waitFor();

    // Alt+N from any screen claims the best customer and shows the pre-call, focused on its heading.
    await page.keyboard.press("Alt+n");
    await page.getByRole("heading", { name: `Before the call: ${names[0]}` }).waitFor();

    // A wrong number takes the customer off the list (their only number is flagged), so the next call
    // moves on; after an unanswered call the same customer may well still be the best one.
    const outcome = page.getByLabel("Outcome");
    await tabTo(page, outcome);
    for (let i = 0; i < 20 && (await outcome.inputValue()) !== "wrong_number"; i++)
      await page.keyboard.press("ArrowDown");
    expect(await outcome.inputValue()).toBe("wrong_number");
    await tabTo(page, page.getByRole("button", { name: "Save and next call" }));
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: `Before the call: ${names[1]}` }).waitFor();

    await tabTo(page, page.getByRole("button", { name: "Skip this customer" }));
    await page.keyboard.press("Enter");
    await page.getByText(`${names[1]} skipped.`).waitFor();

    const db = ctx.t.app.database.db;
    const calls = await db
      .select()
      .from(customerInteractions)
      .where(eq(customerInteractions.customerId, customers[0]!.id));
    expect(calls.map((c) => c.disposition)).toEqual(["wrong_number"]);
    const skips = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "claim.skipped"), eq(auditLogs.entityId, customers[1]!.id)));
    expect(skips).toHaveLength(1);
    await page.context().close();
  }, 90_000);
});
