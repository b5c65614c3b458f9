import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, ApiError, type CustomerDetail, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import { describeError } from "../../lib/errors";
import { Link } from "../../lib/router";
import { Alert, Field } from "../../lib/ui";
import { Loans } from "./Loans";
import { changedFields, type Conflict, ConflictBanner, conflictOf } from "./versioned";

const TEXT_FIELDS = [
  ["fullName", "sup.f.fullName"],
  ["phone", "phone"],
  ["altPhone", "altPhone"],
  ["email", "email"],
  ["city", "city"],
  ["address", "sup.f.address"],
  ["employer", "sup.f.employer"],
  ["preferredLanguage", "sup.f.language"],
] as const satisfies readonly (readonly [keyof CustomerDetail, MessageKey])[];
type TextField = (typeof TEXT_FIELDS)[number][0];
type Editable = Record<TextField | "notes", string | null> & { doNotCall: boolean };

const editable = (c: Editable & Record<string, unknown>): Editable => ({
  ...(Object.fromEntries(TEXT_FIELDS.map(([k]) => [k, c[k] ?? null])) as Record<TextField, string | null>),
  notes: c.notes ?? null,
  doNotCall: c.doNotCall,
});

/** A supervisor edits a customer; a stale version is explained ("changed by X at 10:42") with reload or overwrite. */
export default function CustomerEdit({ id }: { id: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [base, setBase] = useState<CustomerDetail | null>(null);
  const [draft, setDraft] = useState<Editable | null>(null);
  const [conflict, setConflict] = useState<Conflict<Editable & { updatedAt: string; version: number }> | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const detail = await unwrap(api.GET("/api/customers/{id}", { params: { path: { id } } }));
    setBase(detail);
    setDraft(editable(detail));
    setConflict(null);
    return detail;
  }, [id]);
  useEffect(() => {
    load().catch((err) => setMessage({ kind: "error", text: describeError(err, i18n) }));
  }, [load]);

  if (!base || !draft) return message ? <Alert>{message.text}</Alert> : <p>{t("loading")}</p>;
  const mine = changedFields(editable(base), draft);

  const save = async (version: number) => {
    setBusy(true);
    setErrors({});
    setMessage(null);
    try {
      await unwrap(
        api.PATCH("/api/customers/{id}", {
          params: { path: { id } },
          body: { ...mine, fullName: mine.fullName ?? undefined, phone: mine.phone ?? undefined, version },
        }),
      );
      await load();
      setMessage({ kind: "success", text: t("sup.saved") });
    } catch (err) {
      const c = conflictOf<Editable & { updatedAt: string; version: number }>(err);
      if (c) setConflict(c);
      else {
        if (err instanceof ApiError) setErrors(err.fieldErrors());
        setMessage({ kind: "error", text: describeError(err, i18n) });
      }
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save(base.version);
  };
  const set = (key: keyof Editable, value: string | boolean) =>
    setDraft({ ...draft, [key]: typeof value === "string" && value.trim() === "" ? null : value });
  const labels = Object.fromEntries([
    ...TEXT_FIELDS.map(([k, label]) => [k, t(label)]),
    ["notes", t("notes")],
    ["doNotCall", t("sup.f.doNotCall")],
  ]) as Record<keyof Editable, string>;

  return (
    <article aria-labelledby="edit-title">
      <h1 id="edit-title">{t("sup.edit.title", { name: base.fullName })}</h1>
      <p>
        <Link href={`/customers/${id}`}>{t("sup.edit.record")}</Link> · {t("sup.edit.version", { n: base.version })}
      </p>
      {conflict && (
        <ConflictBanner
          conflict={conflict}
          mine={mine}
          labels={labels}
          onReload={() => void load()}
          onOverwrite={() => void save(conflict.current.version)}
        />
      )}
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      <form className="card" onSubmit={submit} aria-labelledby="edit-form-title" noValidate>
        <h2 id="edit-form-title">{t("customer")}</h2>
        <div className="row">
          {TEXT_FIELDS.map(([key, label]) => (
            <Field key={key} label={t(label)} error={errors[key]}>
              <input value={draft[key] ?? ""} onChange={(e) => set(key, e.target.value)} />
            </Field>
          ))}
        </div>
        <Field label={t("notes")} error={errors.notes}>
          <textarea rows={3} value={draft.notes ?? ""} onChange={(e) => set("notes", e.target.value)} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={draft.doNotCall} onChange={(e) => set("doNotCall", e.target.checked)} />{" "}
          {t("sup.f.doNotCall")}
        </label>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || Object.keys(mine).length === 0}>
            {t("sup.edit.save")}
          </button>
        </div>
      </form>
      <Loans customer={base} onChange={() => void load()} />
    </article>
  );
}
