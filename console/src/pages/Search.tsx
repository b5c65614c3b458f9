import { useEffect, useState } from "react";
import { api, type Customer, unwrap } from "../api/client";
import { useI18n } from "../i18n";
import { describeError } from "../lib/errors";
import { Link, navigate, useLocation } from "../lib/router";
import { Alert, Field } from "../lib/ui";
import { BucketBadge } from "./parts";

/** By phone in any format, name (part), email, external reference or national id. */
export function Search() {
  const i18n = useI18n();
  const { t, money } = i18n;
  const { query } = useLocation();
  const q = query.get("q") ?? "";
  const [text, setText] = useState(q);
  const [rows, setRows] = useState<Customer[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Searching the same text again fetches again (someone may have called or paid meanwhile).
  const [nonce, setNonce] = useState(0);

  useEffect(() => {
    setText(q);
    if (q.trim().length < 2) return setRows(null);
    let cancelled = false;
    setError(null);
    unwrap(api.GET("/api/customers", { params: { query: { q: q.trim(), limit: 50, sort: "name" } } }))
      .then((res) => !cancelled && setRows(res.data))
      .catch((err) => !cancelled && setError(describeError(err, i18n)));
    return () => {
      cancelled = true;
    };
  }, [q, nonce]);

  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">{t("searchTitle")}</h1>
      <form
        className="search-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`/search?q=${encodeURIComponent(text.trim())}`);
          setNonce((n) => n + 1);
        }}
      >
        <Field label={t("searchLabel")} hint={t("searchHint")}>
          <input
            type="search"
            name="q"
            autoFocus
            value={text}
            minLength={2}
            onChange={(e) => setText(e.target.value)}
          />
        </Field>
        <button type="submit" className="primary">
          {t("search")}
        </button>
      </form>
      {error && <Alert>{error}</Alert>}
      {rows && rows.length === 0 && <p role="status">{t("noResults")}</p>}
      {rows && rows.length > 0 && (
        <table>
          <caption>{t("results", { n: rows.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("phone")}</th>
              <th scope="col">{t("reference")}</th>
              <th scope="col">{t("city")}</th>
              <th scope="col">{t("daysPastDue")}</th>
              <th scope="col">{t("overdue")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("precallTitle")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link href={`/customers/${c.id}`}>{c.fullName}</Link>
                </td>
                <td>{c.phone}</td>
                <td>{c.externalRef ?? "—"}</td>
                <td>{c.city ?? "—"}</td>
                <td>
                  {c.daysPastDue} <BucketBadge bucket={c.bucket} />
                </td>
                <td className="num">{money(c.totalOverdue)}</td>
                <td>
                  <Link className="button" href={`/call?phone=${encodeURIComponent(c.phone)}`}>
                    {t("callThisNumber", { phone: c.phone })}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
