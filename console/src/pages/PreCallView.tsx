import { forwardRef, type ReactNode } from "react";
import type { PreCall } from "../api/client";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { Link } from "../lib/router";
import { Badge } from "../lib/ui";
import { BucketBadge, LoansTable, PromisesTable, Timeline, useLoanHistory } from "./parts";

interface Props {
  precall: PreCall;
  phone: string;
  /** Bumped after a save so the promises are read again. */
  version: number;
  /** Shown under the heading (the claim's remaining time on the next-call screen). */
  status?: ReactNode;
  /** The post-call form. */
  children: ReactNode;
}

/** What an agent reads before dialling: customer, totals, eligibility, loans, promises, the form, the timeline. */
export const PreCallView = forwardRef<HTMLHeadingElement, Props>(function PreCallView(
  { precall, phone, version, status, children },
  heading,
) {
  const { t, money, dateTime } = useI18n();
  const { promises } = useLoanHistory(
    precall.loans.map((l) => l.id),
    version,
  );
  const { customer, summary, eligibility } = precall;
  return (
    <article aria-labelledby="precall-title">
      <h1 id="precall-title" ref={heading} tabIndex={-1}>
        {t("precallHeading", { name: customer.fullName })}
      </h1>
      {status}
      <div className="grid">
        <section className="card" aria-labelledby="who-title">
          <h2 id="who-title">{t("customer")}</h2>
          <dl>
            <dt>{t("phones")}</dt>
            <dd>
              <ul className="phones" data-testid="phones">
                {precall.phones.map((p) => (
                  <li key={p.number}>
                    {p.number === phone ? <strong>{p.number}</strong> : p.number}{" "}
                    {p.wrongNumber && <Badge tone="bad">{t("wrongNumber")}</Badge>}
                  </li>
                ))}
              </ul>
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
            <dd>
              {summary.lastPayment
                ? `${money(summary.lastPayment.amount)} · ${dateTime(summary.lastPayment.paidAt)}`
                : t("none")}
            </dd>
            <dt>{t("openPromises")}</dt>
            <dd>{summary.openPromises}</dd>
            <dt>{t("brokenPromises90")}</dt>
            <dd>{summary.brokenPromisesLast90Days}</dd>
          </dl>
        </section>
        <section
          className={`card eligibility ${eligibility.canCall ? "ok" : "blocked"}`}
          aria-labelledby="elig-title"
          data-testid="eligibility"
        >
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
              <p>
                {eligibility.nextEligibleAt
                  ? t("nextEligibleAt", { time: dateTime(eligibility.nextEligibleAt) })
                  : t("neverClears")}
              </p>
            </>
          )}
          {precall.claimedBy && (
            <p>{t("claimedBy", { name: precall.claimedBy.name ?? "—", time: dateTime(precall.claimedBy.until) })}</p>
          )}
        </section>
      </div>
      <LoansTable loans={precall.loans} />
      <PromisesTable promises={promises} loans={precall.loans} />
      {children}
      <Timeline items={precall.recentInteractions} />
    </article>
  );
});
