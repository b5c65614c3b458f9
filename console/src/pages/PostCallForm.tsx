import { useEffect, useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { api, ApiError, type Disposition, type Loan, type PostCallBody, unwrap } from "../api/client";
import { useI18n } from "../i18n";
import { describeError } from "../lib/errors";
import { centreTimeToIso, centreToday } from "../lib/zoned";
import { Alert, Field } from "../lib/ui";

interface Values {
  direction: "outbound" | "inbound";
  disposition: string;
  loanId: string;
  promiseAmount: string;
  promiseDate: string;
  callbackAt: string;
  notes: string;
}
const FIELDS = ["direction", "disposition", "loanId", "promiseAmount", "promiseDate", "callbackAt", "notes"] as const;

interface Props {
  customerId: string;
  phone: string;
  loans: Loan[];
  onSaved(): void;
  /** On the next-call screen: "save and next call", and a "next call" button once saved. */
  onNextCall?(): void;
}

/** One form per call: remounting it (after a save) draws a new callId. */
export function PostCallForm(props: Props) {
  const [round, setRound] = useState(0);
  return <OneCall key={round} {...props} onNext={() => setRound((r) => r + 1)} />;
}

function OneCall({ customerId, phone, loans, onSaved, onNextCall, onNext }: Props & { onNext(): void }) {
  const i18n = useI18n();
  const { t, timezone, code: words } = i18n;
  // The idempotency key: drawn once per form, so a double click or a retry records one call.
  const [callId] = useState(() => crypto.randomUUID());
  const [startedAt] = useState(() => new Date());
  const [dispositions, setDispositions] = useState<Disposition[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const {
    register,
    handleSubmit,
    watch,
    formState,
    setError: setFieldError,
  } = useForm<Values>({
    defaultValues: {
      direction: "outbound",
      disposition: "",
      loanId: "",
      promiseAmount: "",
      promiseDate: "",
      callbackAt: "",
      notes: "",
    },
  });
  // Which submit button was used: "save and next call" goes on to claim the next customer.
  // (A ref: the click that picks it runs just before the submit handler reads it.)
  const thenNext = useRef(false);
  const code = watch("disposition");
  const requires = dispositions.find((d) => d.code === code)?.requires ?? [];

  useEffect(() => {
    unwrap(api.GET("/api/crm/dispositions"))
      .then((r) => setDispositions(r.data))
      .catch((err) => setError(describeError(err, i18n)));
  }, []);

  const onSubmit = handleSubmit(async (v) => {
    setError(null);
    const body: PostCallBody = {
      callId,
      customerId,
      phone,
      direction: v.direction,
      startedAt: startedAt.toISOString(),
      durationSeconds: Math.max(0, Math.round((Date.now() - startedAt.getTime()) / 1000)),
      disposition: v.disposition,
      ...(v.loanId ? { loanId: v.loanId } : {}),
      ...(v.notes.trim() ? { notes: v.notes.trim() } : {}),
      ...(requires.includes("promiseAmount") ? { promiseAmount: v.promiseAmount.trim().replace(",", ".") } : {}),
      ...(requires.includes("promiseDate") ? { promiseDate: v.promiseDate } : {}),
      ...(requires.includes("callbackAt") && v.callbackAt
        ? { callbackAt: centreTimeToIso(v.callbackAt, timezone) }
        : {}),
    };
    try {
      await unwrap(api.POST("/api/crm/post-call", { body }));
      setSaved(true);
      onSaved();
      if (thenNext.current && onNextCall) onNextCall();
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      let placed = false;
      for (const name of FIELDS) {
        if (fields[name]) {
          setFieldError(name, { type: "server", message: fields[name] });
          placed = true;
        }
      }
      if (!placed || fields.phone || fields.customerId || fields.callId) setError(describeError(err, i18n));
    }
  });

  const err = (name: (typeof FIELDS)[number]) =>
    formState.errors[name]?.message || (formState.errors[name] && t("required"));

  if (saved) {
    return (
      <section className="card" aria-labelledby="postcall-title">
        <h2 id="postcall-title">{t("postCallTitle")}</h2>
        <Alert kind="success">{t("saved")}</Alert>
        {onNextCall ? (
          <button type="button" className="primary" onClick={onNextCall} autoFocus>
            {t("nextCall")}
          </button>
        ) : (
          <button type="button" onClick={onNext} autoFocus>
            {t("newCall")}
          </button>
        )}
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="postcall-title">
      <h2 id="postcall-title">{t("postCallTitle")}</h2>
      {error && <Alert>{error}</Alert>}
      <form onSubmit={onSubmit} noValidate data-call-id={callId}>
        <div className="row">
          <Field label={t("direction")} error={err("direction")}>
            <select {...register("direction")}>
              <option value="outbound">{t("outbound")}</option>
              <option value="inbound">{t("inbound")}</option>
            </select>
          </Field>
          <Field label={t("disposition")} error={err("disposition")}>
            <select {...register("disposition", { required: true })}>
              <option value="">{t("outcomePlaceholder")}</option>
              {dispositions.map((d) => (
                <option key={d.code} value={d.code}>
                  {words("disposition", d.code) === d.code ? d.label : words("disposition", d.code)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t("loan")} error={err("loanId")}>
            <select {...register("loanId")}>
              <option value="">{t("anyLoan")}</option>
              {loans.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.loanNumber} · {l.productName}
                </option>
              ))}
            </select>
          </Field>
        </div>
        {requires.includes("promiseAmount") && (
          <div className="row">
            <Field label={t("promiseAmount")} error={err("promiseAmount")}>
              <input inputMode="decimal" {...register("promiseAmount", { required: true })} />
            </Field>
            <Field label={t("promiseDate")} error={err("promiseDate")}>
              <input type="date" min={centreToday(timezone)} {...register("promiseDate", { required: true })} />
            </Field>
          </div>
        )}
        {requires.includes("callbackAt") && (
          <Field label={t("callbackAt")} error={err("callbackAt")}>
            <input type="datetime-local" {...register("callbackAt", { required: true })} />
          </Field>
        )}
        <Field label={t("notes")} error={err("notes")}>
          <textarea rows={3} maxLength={5000} {...register("notes")} />
        </Field>
        <div className="actions">
          <button
            type="submit"
            className={onNextCall ? undefined : "primary"}
            disabled={formState.isSubmitting}
            onClick={() => (thenNext.current = false)}
          >
            {formState.isSubmitting && !thenNext.current ? t("saving") : t("save")}
          </button>
          {onNextCall && (
            <button
              type="submit"
              className="primary"
              disabled={formState.isSubmitting}
              onClick={() => (thenNext.current = true)}
            >
              {formState.isSubmitting && thenNext.current ? t("saving") : t("saveAndNext")}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
