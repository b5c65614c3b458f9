import { useState, type FormEvent } from "react";
import { api, ApiError, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { describeError } from "../../lib/errors";
import { Link, navigate } from "../../lib/router";
import { Alert, Field } from "../../lib/ui";
import { BucketBadge } from "../parts";
import { BUCKETS } from "./Assign";
import { bucketLabel, usePolled } from "./common";

type Query = { q: string; city: string; bucket: string };

const search = (q: Query) =>
  unwrap(
    api.GET("/api/customers", {
      params: {
        query: {
          limit: 50,
          sort: "amountOverdue",
          ...(q.q.trim().length >= 2 ? { q: q.q.trim() } : {}),
          ...(q.city.trim() ? { city: q.city.trim() } : {}),
          ...(q.bucket ? { bucket: q.bucket as (typeof BUCKETS)[number] } : {}),
        },
      },
    }),
  );

/** Find a customer to edit, or create one. */
export default function Customers() {
  const i18n = useI18n();
  const { t, money } = i18n;
  const [form, setForm] = useState<Query>({ q: "", city: "", bucket: "" });
  const [query, setQuery] = useState(form);
  const list = usePolled(() => search(query), 0, JSON.stringify(query));
  const [created, setCreated] = useState({ fullName: "", phone: "", externalRef: "", city: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setError(null);
    try {
      const c = await unwrap(
        api.POST("/api/customers", {
          body: {
            fullName: created.fullName,
            phone: created.phone,
            ...(created.externalRef ? { externalRef: created.externalRef } : {}),
            ...(created.city ? { city: created.city } : {}),
          },
        }),
      );
      navigate(`/supervisor/customers/${c.id}`);
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors());
      setError(describeError(err, i18n));
    }
  };

  return (
    <section aria-labelledby="customers-title">
      <h1 id="customers-title">{t("sup.cust.title")}</h1>
      <form
        className="card row"
        aria-label={t("sup.cust.find")}
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(form);
        }}
      >
        <Field label={t("searchLabel")}>
          <input value={form.q} onChange={(e) => setForm({ ...form, q: e.target.value })} />
        </Field>
        <Field label={t("city")}>
          <input value={form.city} onChange={(e) => setForm({ ...form, city: e.target.value })} />
        </Field>
        <Field label={t("bucket")}>
          <select value={form.bucket} onChange={(e) => setForm({ ...form, bucket: e.target.value })}>
            <option value="">{t("sup.any")}</option>
            {BUCKETS.map((b) => (
              <option key={b} value={b}>
                {bucketLabel(i18n, b)}
              </option>
            ))}
          </select>
        </Field>
        <div className="actions">
          <button type="submit">{t("sup.cust.search")}</button>
        </div>
      </form>
      {list.error && <Alert>{list.error}</Alert>}
      {list.data && (
        <table data-testid="customer-list">
          <caption>{t("sup.cust.caption", { n: list.data.data.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("reference")}</th>
              <th scope="col">{t("city")}</th>
              <th scope="col">{t("daysPastDue")}</th>
              <th scope="col">{t("overdue")}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link href={`/supervisor/customers/${c.id}`}>{c.fullName}</Link>
                </td>
                <td>{c.externalRef ?? "—"}</td>
                <td>{c.city ?? "—"}</td>
                <td className="num">
                  {c.daysPastDue} <BucketBadge bucket={c.bucket} />
                </td>
                <td className="num">{money(c.totalOverdue)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="card" onSubmit={(e) => void create(e)} aria-labelledby="new-customer-title" noValidate>
        <h2 id="new-customer-title">{t("sup.cust.new")}</h2>
        {error && <Alert>{error}</Alert>}
        <div className="row">
          <Field label={t("sup.f.fullName")} error={errors.fullName}>
            <input value={created.fullName} onChange={(e) => setCreated({ ...created, fullName: e.target.value })} />
          </Field>
          <Field label={t("phone")} error={errors.phone}>
            <input value={created.phone} onChange={(e) => setCreated({ ...created, phone: e.target.value })} />
          </Field>
          <Field label={t("reference")} error={errors.externalRef}>
            <input
              value={created.externalRef}
              onChange={(e) => setCreated({ ...created, externalRef: e.target.value })}
            />
          </Field>
          <Field label={t("city")} error={errors.city}>
            <input value={created.city} onChange={(e) => setCreated({ ...created, city: e.target.value })} />
          </Field>
        </div>
        <button type="submit" className="primary">
          {t("sup.cust.create")}
        </button>
      </form>
    </section>
  );
}
