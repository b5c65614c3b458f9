import { useCallback, useEffect, useState } from "react";
import { api, type PreCall, unwrap } from "../api/client";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { describeError } from "../lib/errors";
import { Link } from "../lib/router";
import { Alert, Badge } from "../lib/ui";
import { BucketBadge, LoansTable, PromisesTable, Timeline, useLoanHistory } from "./parts";
import { PostCallForm } from "./PostCallForm";

/** The pre-call view for a phone number, and the post-call form under it. */
export function CallPage({ phone }: { phone: string }) {
  const i18n = useI18n();
  const { t, money, dateTime } = i18n;
  const [precall, setPrecall] = useState<PreCall | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const { promises } = useLoanHistory(precall?.loans.map((l) => l.id) ?? [], version);

  const load = useCallback(() => {
    setError(null);
    return unwrap(api.GET("/api/crm/pre-call", { params: { query: { phone } } }))
      .then(setPrecall)
      .catch((err) => setError(describeError(err, i18n)));
  }, [phone]);

  useEffect(() => {
    void load();
  }, [load]);

  if (error) return <Alert>{error}</Alert>;
  if (!precall) return <p>{t("loading")}</p>;
  const { customer, summary, eligibility } = precall;
  const wrong = eligibility.reasons.includes("WRONG_NUMBER");
  return (
    <article aria-labelledby="precall-title">
      <h1 id="precall-title">
        {t("precallHeading", { name: customer.fullName })}
      </h1>
      <div className="grid">
        <section className="card" aria-labelledby="who-title">
          <h2 id="who-title">{t("customer")}</h2>
          <dl>
            <dt>{t("phones")}</dt>
            <dd>
              {phone} {wrong && <Badge tone="bad">{t("wrongNumber")}</Badge>}
              {customer.altPhone && customer.altPhone !== phone && ` · ${customer.altPhone}`}
              {customer.altPhone === phone && ` · ${customer.phone}`}
            </dd>
            <dt>{t("preferredLanguage")}</dt>
            <dd>{customer.preferredLanguage ?? "—"}</dd>
            <dt>{t("city")}</dt>
            <dd>{customer.city ?? "—"}</dd>
            <dt>{t("notes")}</dt>
            <dd>{customer.notes ?? "—"}</dd>
          </dl>
          <Link href={`/customers/${customer.id}`}>{t("viewCustomer")}</Link>
        </section>
        <section className="card" aria-labelledby="sum-title">
          <h2 id="sum-title">{t("summary")}</h2>
          <dl>
            <dt>{t("totalOverdue")}</dt>
            <dd>{money(summary.totalOverdue)}</dd>
            <dt>{t("totalOutstanding")}</dt>
            <dd>{money(summary.totalOutstanding)}</dd>
            <dt>{t("daysPastDue")}</dt>
            <dd>
              {summary.maxDaysPastDue} <BucketBadge bucket={customer.bucket} />
            </dd>
            <dt>{t("lastPayment")}</dt>
            <dd>{summary.lastPayment ? `${money(summary.lastPayment.amount)} · ${dateTime(summary.lastPayment.paidAt)}` : t("none")}</dd>
            <dt>{t("openPromises")}</dt>
            <dd>{summary.openPromises}</dd>
            <dt>{t("brokenPromises90")}</dt>
            <dd>{summary.brokenPromisesLast90Days}</dd>
          </dl>
        </section>
        <section className={`card eligibility ${eligibility.canCall ? "ok" : "blocked"}`} aria-labelledby="elig-title" data-testid="eligibility">
          <h2 id="elig-title">{t("eligibility")}</h2>
          {eligibility.canCall ? (
            <p>{t("canCallYes")}</p>
          ) : (
            <>
              <p>{t("canCallNo")}</p>
              <ul>
                {eligibility.reasons.map((r) => (
                  <li key={r}>{t(`reason.${r}` as MessageKey)}</li>
                ))}
              </ul>
              <p>{eligibility.nextEligibleAt ? t("nextEligibleAt", { time: dateTime(eligibility.nextEligibleAt) }) : t("neverClears")}</p>
            </>
          )}
        </section>
      </div>
      <LoansTable loans={precall.loans} />
      <PromisesTable promises={promises} loans={precall.loans} />
      <PostCallForm
        customerId={customer.id}
        phone={phone}
        loans={precall.loans}
        onSaved={() => {
          void load();
          setVersion((v) => v + 1);
        }}
      />
      <Timeline items={precall.recentInteractions} />
    </article>
  );
}
