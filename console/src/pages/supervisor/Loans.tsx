import { useState, type FormEvent } from "react";
import { api, ApiError, type CustomerDetail, type Loan, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import { describeError } from "../../lib/errors";
import { centreTimeToIso } from "../../lib/zoned";
import { Alert, Field } from "../../lib/ui";
import { BucketBadge } from "../parts";
import { COLLECTION_STATUSES } from "./Assign";
import { NewLoanForm } from "./NewLoan";
import { changedFields, type Conflict, ConflictBanner, conflictOf } from "./versioned";

const METHODS = ["cash", "bank_transfer", "card", "ccp", "cheque", "other"] as const;
type LoanEdit = Pick<Loan, "amountOverdue" | "outstandingBalance" | "nextDueDate" | "collectionStatus">;
const loanEdit = (l: LoanEdit): LoanEdit => ({
  amountOverdue: l.amountOverdue,
  outstandingBalance: l.outstandingBalance,
  nextDueDate: l.nextDueDate,
  collectionStatus: l.collectionStatus,
});

/** One loan's arrears and status, saved at the version read (conflicts explained like the customer's). */
function LoanForm({ loan, onSaved }: { loan: Loan; onSaved(): void }) {
  const i18n = useI18n();
  const { t, code } = i18n;
  const [draft, setDraft] = useState(loanEdit(loan));
  const [conflict, setConflict] = useState<Conflict<LoanEdit & { updatedAt: string; version: number }> | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const mine = changedFields(loanEdit(loan), draft);
  const save = async (version: number) => {
    setErrors({});
    setError(null);
    try {
      await unwrap(
        api.PATCH("/api/loans/{id}", {
          params: { path: { id: loan.id } },
          body: { ...mine, collectionStatus: mine.collectionStatus, version },
        }),
      );
      setConflict(null);
      onSaved();
    } catch (err) {
      const c = conflictOf<LoanEdit & { updatedAt: string; version: number }>(err);
      if (c) return setConflict(c);
      if (err instanceof ApiError) setErrors(err.fieldErrors());
      setError(describeError(err, i18n));
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save(loan.version);
  };
  const labels = {
    amountOverdue: t("overdue"),
    outstandingBalance: t("sup.f.outstanding"),
    nextDueDate: t("sup.f.nextDue"),
    collectionStatus: t("status"),
  };
  return (
    <form className="card" onSubmit={submit} aria-label={t("sup.loan.edit", { n: loan.loanNumber })}>
      <h3>{t("sup.loan.edit", { n: loan.loanNumber })}</h3>
      {conflict && (
        <ConflictBanner
          conflict={conflict}
          mine={mine}
          labels={labels}
          onReload={() => {
            setDraft(loanEdit(conflict.current));
            setConflict(null);
            onSaved();
          }}
          onOverwrite={() => void save(conflict.current.version)}
        />
      )}
      {error && <Alert>{error}</Alert>}
      <div className="row">
        <Field label={labels.amountOverdue} error={errors.amountOverdue}>
          <input value={draft.amountOverdue} onChange={(e) => setDraft({ ...draft, amountOverdue: e.target.value })} />
        </Field>
        <Field label={labels.outstandingBalance} error={errors.outstandingBalance}>
          <input
            value={draft.outstandingBalance}
            onChange={(e) => setDraft({ ...draft, outstandingBalance: e.target.value })}
          />
        </Field>
        <Field label={labels.nextDueDate} error={errors.nextDueDate}>
          <input
            type="date"
            value={draft.nextDueDate ?? ""}
            onChange={(e) => setDraft({ ...draft, nextDueDate: e.target.value || null })}
          />
        </Field>
        <Field label={labels.collectionStatus} error={errors.collectionStatus}>
          <select
            value={draft.collectionStatus}
            onChange={(e) => setDraft({ ...draft, collectionStatus: e.target.value as Loan["collectionStatus"] })}
          >
            {COLLECTION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {code("collection", s)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <button type="submit" disabled={Object.keys(mine).length === 0}>
        {t("sup.loan.save")}
      </button>
    </form>
  );
}

/** Record a payment on one of the customer's loans (the reference makes a retry safe). */
function PaymentForm({ loans, onSaved }: { loans: Loan[]; onSaved(): void }) {
  const i18n = useI18n();
  const { t, money, timezone } = i18n;
  const fresh = () => ({
    loanId: loans[0]?.id ?? "",
    amount: "",
    paidAt: new Date().toLocaleString("sv-SE", { timeZone: timezone }).slice(0, 16).replace(" ", "T"),
    method: "cash" as (typeof METHODS)[number],
    reference: `PAY-${crypto.randomUUID().slice(0, 8)}`,
  });
  const [form, setForm] = useState(fresh);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    try {
      const r = await unwrap(
        api.POST("/api/loans/{id}/payments", {
          params: { path: { id: form.loanId } },
          body: {
            amount: form.amount,
            paidAt: centreTimeToIso(form.paidAt, timezone),
            method: form.method,
            reference: form.reference,
          },
        }),
      );
      setMessage({
        kind: "success",
        text: t("sup.pay.done", { amount: money(r.amount), balance: money(r.loan.outstandingBalance) }),
      });
      setForm(fresh());
      onSaved();
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors());
      setMessage({ kind: "error", text: describeError(err, i18n) });
    }
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="pay-title" noValidate>
      <h2 id="pay-title">{t("sup.pay.title")}</h2>
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      <div className="row">
        <Field label={t("sup.pay.loan")}>
          <select value={form.loanId} onChange={(e) => setForm({ ...form, loanId: e.target.value })}>
            {loans.map((l) => (
              <option key={l.id} value={l.id}>
                {l.loanNumber}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("sup.pay.amount")} error={errors.amount}>
          <input
            inputMode="decimal"
            value={form.amount}
            onChange={(e) => setForm({ ...form, amount: e.target.value })}
          />
        </Field>
        <Field label={t("sup.pay.paidAt")} error={errors.paidAt}>
          <input
            type="datetime-local"
            value={form.paidAt}
            onChange={(e) => setForm({ ...form, paidAt: e.target.value })}
          />
        </Field>
        <Field label={t("sup.pay.method")} error={errors.method}>
          <select
            value={form.method}
            onChange={(e) => setForm({ ...form, method: e.target.value as (typeof METHODS)[number] })}
          >
            {METHODS.map((m) => (
              <option key={m} value={m}>
                {t(`sup.method.${m}` as MessageKey)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("sup.pay.reference")} error={errors.reference}>
          <input value={form.reference} onChange={(e) => setForm({ ...form, reference: e.target.value })} />
        </Field>
      </div>
      <button type="submit" className="primary" disabled={!form.loanId}>
        {t("sup.pay.record")}
      </button>
    </form>
  );
}

export function Loans({ customer, onChange }: { customer: CustomerDetail; onChange(): void }) {
  const { t, money } = useI18n();
  return (
    <section aria-labelledby="loans-edit-title">
      <h2 id="loans-edit-title">{t("sup.loans.title")}</h2>
      <table data-testid="loans">
        <thead>
          <tr>
            <th scope="col">{t("sup.loan.number")}</th>
            <th scope="col">{t("sup.f.outstanding")}</th>
            <th scope="col">{t("overdue")}</th>
            <th scope="col">{t("bucket")}</th>
            <th scope="col">{t("sup.edit.versionCol")}</th>
          </tr>
        </thead>
        <tbody>
          {customer.loans.map((l) => (
            <tr key={l.id}>
              <td>{l.loanNumber}</td>
              <td className="num">{money(l.outstandingBalance)}</td>
              <td className="num">{money(l.amountOverdue)}</td>
              <td>
                <BucketBadge bucket={l.bucket} />
              </td>
              <td className="num">{l.version}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {customer.loans.map((l) => (
        <LoanForm key={`${l.id}/${l.version}`} loan={l} onSaved={onChange} />
      ))}
      {customer.loans.length > 0 && <PaymentForm loans={customer.loans} onSaved={onChange} />}
      <NewLoanForm customerId={customer.id} onSaved={onChange} />
    </section>
  );
}
