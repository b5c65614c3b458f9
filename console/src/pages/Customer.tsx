import { useCallback, useEffect, useState } from "react";
import { api, type CustomerDetail, type Interaction, unwrap } from "../api/client";
import { useI18n } from "../i18n";
import { describeError } from "../lib/errors";
import { Link } from "../lib/router";
import { Alert, Badge } from "../lib/ui";
import { BucketBadge, LoansTable, PaymentsTable, PromisesTable, Timeline, useLoanHistory } from "./parts";

export function CustomerPage({ id }: { id: string }) {
  const i18n = useI18n();
  const { t, money } = i18n;
  const [customer, setCustomer] = useState<CustomerDetail | null>(null);
  const [items, setItems] = useState<Interaction[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { promises, payments } = useLoanHistory(customer?.loans.map((l) => l.id) ?? []);

  const loadInteractions = useCallback(
    async (after?: string) => {
      const page = await unwrap(
        api.GET("/api/customers/{id}/interactions", { params: { path: { id }, query: { limit: 50, cursor: after } } }),
      );
      setItems((prev) => (after ? [...prev, ...page.data] : page.data));
      setCursor(page.page.nextCursor);
    },
    [id],
  );

  useEffect(() => {
    setError(null);
    Promise.all([
      unwrap(api.GET("/api/customers/{id}", { params: { path: { id } } })).then(setCustomer),
      loadInteractions(),
    ]).catch((err) => setError(describeError(err, i18n)));
  }, [id, loadInteractions]);

  if (error) return <Alert>{error}</Alert>;
  if (!customer) return <p>{t("loading")}</p>;
  return (
    <article aria-labelledby="customer-title">
      <h1 id="customer-title">{customer.fullName}</h1>
      <div className="grid">
        <section className="card" aria-labelledby="profile-title">
          <h2 id="profile-title">{t("customer")}</h2>
          <dl>
            <dt>{t("phones")}</dt>
            <dd>
              <Link href={`/call?phone=${encodeURIComponent(customer.phone)}`}>
                {t("callThisNumber", { phone: customer.phone })}
              </Link>
              {customer.altPhone && (
                <>
                  {" · "}
                  <Link href={`/call?phone=${encodeURIComponent(customer.altPhone)}`}>
                    {t("callThisNumber", { phone: customer.altPhone })}
                  </Link>
                </>
              )}
            </dd>
            <dt>{t("reference")}</dt>
            <dd>{customer.externalRef ?? "—"}</dd>
            <dt>{t("city")}</dt>
            <dd>{customer.city ?? "—"}</dd>
            <dt>{t("preferredLanguage")}</dt>
            <dd>{customer.preferredLanguage ?? "—"}</dd>
            {customer.doNotCall && (
              <>
                <dt>{t("status")}</dt>
                <dd>
                  <Badge tone="bad">{t("doNotCall")}</Badge>
                </dd>
              </>
            )}
            {customer.notes && (
              <>
                <dt>{t("notes")}</dt>
                <dd>{customer.notes}</dd>
              </>
            )}
          </dl>
        </section>
        <section className="card" aria-labelledby="summary-title">
          <h2 id="summary-title">{t("summary")}</h2>
          <dl>
            <dt>{t("totalOverdue")}</dt>
            <dd>{money(customer.summary.totalOverdue)}</dd>
            <dt>{t("totalOutstanding")}</dt>
            <dd>{money(customer.summary.totalOutstanding)}</dd>
            <dt>{t("daysPastDue")}</dt>
            <dd>
              {customer.summary.maxDaysPastDue} <BucketBadge bucket={customer.bucket} />
            </dd>
          </dl>
        </section>
      </div>
      <LoansTable loans={customer.loans} />
      <PromisesTable promises={promises} loans={customer.loans} />
      <PaymentsTable payments={payments} loans={customer.loans} />
      <Timeline items={items} onMore={cursor ? () => void loadInteractions(cursor) : undefined} />
    </article>
  );
}
