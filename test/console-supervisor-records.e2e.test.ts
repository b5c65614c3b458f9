/**
 * The supervisor's customers and loans in the console (issue 17): two supervisors edit one customer
 * (the version conflict explained, reload or overwrite), a payment recorded, a CSV import with per-row
 * errors; in Debian's headless Chromium against the real server. Screenshots 27-30 in docs/console/.
 */
import { expect, it } from "vitest";
import { createCustomer, createLoan, daysAgo } from "./support/crm.js";
import { runInChromium, useSupervisorConsole } from "./support/supervisor-console.js";

runInChromium("supervisor console: customers, loans and import in Chromium", () => {
  const ui = useSupervisorConsole();

  it("two supervisors edit one customer: the second sees who changed it and when, then overwrites; a payment is recorded", async () => {
    const admin = await ui.headersOf(ui.adminEmail);
    const c = await createCustomer(ui.t.app, admin, { fullName: "Yasmine Conflict", city: "Oran" });
    await createLoan(ui.t.app, admin, c.id, {
      loanNumber: "LN-SUP-1",
      amountOverdue: "8000.00",
      nextDueDate: daysAgo(new Date(), 20),
    });
    const a = await ui.signedInPage(ui.sup.email);
    await a.goto(`${ui.base}/supervisor/customers`);
    await a.getByLabel("Phone, name or reference").fill("Yasmine");
    await a.getByRole("button", { name: "Search" }).click();
    await a.getByTestId("customer-list").getByRole("link", { name: "Yasmine Conflict" }).waitFor();
    await ui.check(a, "27-customers");
    await a.getByTestId("customer-list").getByRole("link", { name: "Yasmine Conflict" }).click();
    await a.getByRole("heading", { name: "Edit Yasmine Conflict" }).waitFor();

    const b = await ui.signedInPage(ui.sup2.email);
    await b.goto(`${ui.base}/supervisor/customers/${c.id}`);
    await b.getByRole("heading", { name: "Edit Yasmine Conflict" }).waitFor();

    await a.getByLabel("City").fill("Sétif");
    await a.getByRole("button", { name: "Save the customer" }).click();
    await a.getByText("Saved.").waitFor();

    await b.getByLabel("City").fill("Batna");
    await b.getByRole("button", { name: "Save the customer" }).click();
    const conflict = b.getByTestId("version-conflict");
    await conflict.waitFor();
    expect(await conflict.textContent()).toMatch(/Changed by Sara Supervisor at \d\d:\d\d since you opened it/);
    const row = conflict.locator("tbody tr", { hasText: "City" });
    expect(await row.locator("td").allTextContents()).toEqual(["Sétif", "Batna"]);
    await ui.check(b, "28-version-conflict");
    await b.getByRole("button", { name: "Overwrite with mine" }).click();
    await b.getByText("Saved.").waitFor();
    const saved = (await ui.inject("GET", `/api/customers/${c.id}`, ui.sup.email)).json();
    expect(saved).toMatchObject({ city: "Batna", version: 3 });

    // The first supervisor, now stale, takes the other version instead.
    await a.getByLabel("Employer").fill("Sonatrach");
    await a.getByRole("button", { name: "Save the customer" }).click();
    await a
      .getByTestId("version-conflict")
      .getByText(/Changed by Samir Supervisor/)
      .waitFor();
    await a.getByRole("button", { name: "Reload" }).click();
    await expect.poll(() => a.getByLabel("City").inputValue()).toBe("Batna");
    expect(await a.getByLabel("Employer").inputValue()).toBe("");
    await a.context().close();

    // A payment on the loan: a field error first, then recorded.
    await b.getByRole("button", { name: "Record the payment" }).click();
    await b
      .locator(".field", { has: b.getByLabel("Amount (DZD)") })
      .locator("[data-field-error]")
      .waitFor();
    await b.getByLabel("Amount (DZD)").fill("1500");
    await b.getByRole("button", { name: "Record the payment" }).click();
    await b.getByText(/Payment of DZD\s?1,500.00 recorded/).waitFor();
    await ui.check(b, "29-payment");
    const loans = (await ui.inject("GET", `/api/customers/${c.id}/loans`, ui.sup.email)).json().data;
    const paid = (await ui.inject("GET", `/api/loans/${loans[0].id}/payments`, ui.sup.email)).json().data;
    expect(paid.map((p: { amount: string }) => p.amount)).toEqual(["1500.00"]);

    // A new loan for the customer: a field error first, then created and listed.
    const newLoan = b.getByRole("form", { name: "New loan" });
    await newLoan.getByLabel("Loan number").fill("LN-SUP-2");
    await newLoan.getByRole("button", { name: "Create the loan" }).click();
    await newLoan
      .locator(".field", { has: b.getByLabel("Product") })
      .locator("[data-field-error]")
      .waitFor();
    await newLoan.getByLabel("Product").fill("Car loan");
    await newLoan.getByLabel("Principal (DZD)").fill("300000");
    await newLoan.getByLabel("Instalment (DZD)").fill("14000");
    await newLoan.getByLabel("Amount overdue (DZD, optional)").fill("14000");
    await newLoan.getByLabel("Next due date (optional)").fill(daysAgo(new Date(), 10));
    await newLoan.getByRole("button", { name: "Create the loan" }).click();
    await b.getByText("Loan LN-SUP-2 created.").waitFor();
    await b.getByTestId("loans").getByRole("cell", { name: "LN-SUP-2" }).waitFor();
    const after = (await ui.inject("GET", `/api/customers/${c.id}/loans`, ui.sup.email)).json().data;
    expect(after.map((l: { loanNumber: string }) => l.loanNumber).sort()).toEqual(["LN-SUP-1", "LN-SUP-2"]);
    await b.context().close();
  }, 120_000);

  it("imports a CSV: every row's problems listed by line and field, nothing written; then a valid file", async () => {
    const page = await ui.signedInPage(ui.sup.email);
    await page.goto(`${ui.base}/supervisor/import`);
    const header =
      "externalRef,fullName,phone,city,loanNumber,productName,principal,termMonths,installmentAmount,amountOverdue";
    const bad = [
      header,
      "IMP-1,Nadia Import,0661 11 22 33,Blida,IMP-LN-1,Personal loan,100000,24,5000,10000",
      "IMP-2,Omar Import,12345,Blida,,,,,,",
      "IMP-3,,0662 44 55 66,Blida,IMP-LN-3,Personal loan,50000,0,2500,0",
    ].join("\n");
    const file = page.getByLabel("File to import");
    await file.setInputFiles({ name: "customers.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
    await page.getByText("customers.csv: 3 customers read.").waitFor();
    await page.getByRole("button", { name: "Check the file" }).click();
    const errors = page.getByTestId("import-errors");
    await errors.waitFor();
    const rows: string[][] = [];
    for (const tr of await errors.locator("tbody tr").all()) rows.push(await tr.locator("td").allTextContents());
    // The schema's problems first (line 4: two of them); each by its CSV line and field.
    expect(rows).toEqual([
      ["4", "fullName", "is required"],
      ["4", "loans › 0 › termMonths", "must be >= 1"],
    ]);
    expect(await page.getByRole("button", { name: "Import", exact: true }).isDisabled()).toBe(true);
    await ui.check(page, "30-import-errors");
    expect((await ui.inject("GET", "/api/customers?q=IMP-1", ui.sup.email)).json().data).toHaveLength(0);

    // Then the service's: a phone that is no phone number, on line 3.
    const badPhone = [header, bad.split("\n")[1], bad.split("\n")[2]].join("\n");
    await file.setInputFiles({ name: "customers.csv", mimeType: "text/csv", buffer: Buffer.from(badPhone) });
    await page.getByRole("button", { name: "Check the file" }).click();
    await expect
      .poll(() => errors.locator("tbody tr").first().locator("td").allTextContents())
      .toEqual(["3", "phone", expect.any(String)]);
    const good = [header, "IMP-1,Nadia Import,0661 11 22 33,Blida,IMP-LN-1,Personal loan,100000,24,5000,10000"].join(
      "\n",
    );
    await file.setInputFiles({ name: "customers.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
    await page.getByRole("button", { name: "Check the file" }).click();
    await page.getByText("The file is valid: 1 customers would be created").waitFor();
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.getByText("Imported: 1 customers created").waitFor();
    const imported = (await ui.inject("GET", "/api/customers?q=IMP-1", ui.sup.email)).json().data;
    expect(imported.map((c: { fullName: string }) => c.fullName)).toEqual(["Nadia Import"]);
    await page.context().close();
  }, 60_000);
});
