import { useState, type FormEvent } from "react";
import { api, ApiError, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { describeError } from "../../lib/errors";
import { Alert, Field } from "../../lib/ui";

const empty = {
  loanNumber: "",
  productName: "",
  principal: "",
  termMonths: "12",
  installmentAmount: "",
  outstandingBalance: "",
  amountOverdue: "",
  nextDueDate: "",
};

/** A new loan for this customer; the API recomputes the customer's arrears in the same transaction. */
export function NewLoanForm({ customerId, onSaved }: { customerId: string; onSaved(): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [form, setForm] = useState(empty);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const set = (field: keyof typeof empty) => (e: { target: { value: string } }) =>
    setForm({ ...form, [field]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setMessage(null);
    const optional = (v: string) => (v.trim() === "" ? undefined : v.trim());
    try {
      const loan = await unwrap(
        api.POST("/api/loans", {
          body: {
            customerId,
            loanNumber: form.loanNumber.trim(),
            productName: form.productName.trim(),
            principal: form.principal.trim(),
            termMonths: Number(form.termMonths),
            installmentAmount: form.installmentAmount.trim(),
            outstandingBalance: optional(form.outstandingBalance),
            amountOverdue: optional(form.amountOverdue),
            nextDueDate: optional(form.nextDueDate),
          },
        }),
      );
      setMessage({ kind: "success", text: t("sup.newLoan.done", { n: loan.loanNumber }) });
      setForm(empty);
      onSaved();
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors());
      setMessage({ kind: "error", text: describeError(err, i18n) });
    }
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="new-loan-title" noValidate>
      <h2 id="new-loan-title">{t("sup.newLoan.title")}</h2>
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      <div className="row">
        <Field label={t("sup.newLoan.number")} error={errors.loanNumber}>
          <input value={form.loanNumber} onChange={set("loanNumber")} />
        </Field>
        <Field label={t("sup.newLoan.product")} error={errors.productName}>
          <input value={form.productName} onChange={set("productName")} />
        </Field>
        <Field label={t("sup.newLoan.principal")} error={errors.principal}>
          <input inputMode="decimal" value={form.principal} onChange={set("principal")} />
        </Field>
        <Field label={t("sup.newLoan.term")} error={errors.termMonths}>
          <input type="number" min={1} max={600} value={form.termMonths} onChange={set("termMonths")} />
        </Field>
        <Field label={t("sup.newLoan.installment")} error={errors.installmentAmount}>
          <input inputMode="decimal" value={form.installmentAmount} onChange={set("installmentAmount")} />
        </Field>
        <Field label={t("sup.newLoan.outstanding")} error={errors.outstandingBalance}>
          <input inputMode="decimal" value={form.outstandingBalance} onChange={set("outstandingBalance")} />
        </Field>
        <Field label={t("sup.newLoan.overdue")} error={errors.amountOverdue}>
          <input inputMode="decimal" value={form.amountOverdue} onChange={set("amountOverdue")} />
        </Field>
        <Field label={t("sup.newLoan.nextDue")} error={errors.nextDueDate}>
          <input type="date" value={form.nextDueDate} onChange={set("nextDueDate")} />
        </Field>
      </div>
      <button type="submit" className="primary">
        {t("sup.newLoan.create")}
      </button>
    </form>
  );
}
