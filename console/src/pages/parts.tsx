import { useEffect, useState } from "react";
import { api, type Interaction, type Loan, type Payment, type PromiseRow, unwrap } from "../api/client";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { Badge } from "../lib/ui";

export function BucketBadge({ bucket }: { bucket: string }) {
  const tone = bucket === "current" ? "ok" : bucket === "1-30" ? "muted" : bucket === "31-60" ? "warn" : "bad";
  return <Badge tone={tone}>{bucket}</Badge>;
}

export function PromiseBadge({ status }: { status: PromiseRow["status"] }) {
  const tone = status === "kept" ? "ok" : status === "pending" ? "warn" : status === "broken" ? "bad" : "muted";
  return <Badge tone={tone}>{useI18n().t(`promise.${status}` as MessageKey)}</Badge>;
}

export function LoansTable({ loans }: { loans: Loan[] }) {
  const { t, money, date, code } = useI18n();
  return (
    <table>
      <caption>{t("loans")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("loanNumber")}</th>
          <th scope="col">{t("product")}</th>
          <th scope="col">{t("daysPastDue")}</th>
          <th scope="col">{t("bucket")}</th>
          <th scope="col">{t("overdue")}</th>
          <th scope="col">{t("outstanding")}</th>
          <th scope="col">{t("nextDue")}</th>
          <th scope="col">{t("status")}</th>
        </tr>
      </thead>
      <tbody>
        {loans.map((l) => (
          <tr key={l.id}>
            <td>{l.loanNumber}</td>
            <td>{l.productName}</td>
            <td className="num">{l.daysPastDue}</td>
            <td>
              <BucketBadge bucket={l.bucket} />
            </td>
            <td className="num">{money(l.amountOverdue)}</td>
            <td className="num">{money(l.outstandingBalance)}</td>
            <td>{l.nextDueDate ? date(l.nextDueDate) : "—"}</td>
            <td>{code("collection", l.collectionStatus)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Promises and payments of the given loans (one request per loan, in parallel). */
export function useLoanHistory(loanIds: string[], reloadKey = 0) {
  const [promises, setPromises] = useState<PromiseRow[] | null>(null);
  const [payments, setPayments] = useState<(Payment & { loanNumber?: string })[] | null>(null);
  const key = loanIds.join(",");
  useEffect(() => {
    let cancelled = false;
    const ids = key ? key.split(",") : [];
    Promise.all([
      Promise.all(ids.map((id) => unwrap(api.GET("/api/loans/{id}/promises", { params: { path: { id } } })))),
      Promise.all(
        ids.map((id) =>
          unwrap(api.GET("/api/loans/{id}/payments", { params: { path: { id }, query: { limit: 50 } } })),
        ),
      ),
    ])
      .then(([pr, pa]) => {
        if (cancelled) return;
        setPromises(pr.flatMap((r) => r.data).sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
        setPayments(pa.flatMap((r) => r.data).sort((a, b) => b.paidAt.localeCompare(a.paidAt)));
      })
      .catch(() => !cancelled && (setPromises([]), setPayments([])));
    return () => {
      cancelled = true;
    };
  }, [key, reloadKey]);
  return { promises, payments };
}

export function PromisesTable({ promises, loans }: { promises: PromiseRow[] | null; loans: Loan[] }) {
  const { t, money, date, dateTime } = useI18n();
  if (!promises) return <p>{t("loading")}</p>;
  const loanNumber = (id: string) => loans.find((l) => l.id === id)?.loanNumber ?? "—";
  return (
    <table data-testid="promises">
      <caption>{t("promises")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("loanNumber")}</th>
          <th scope="col">{t("amount")}</th>
          <th scope="col">{t("dueDate")}</th>
          <th scope="col">{t("status")}</th>
          <th scope="col">{t("when")}</th>
        </tr>
      </thead>
      <tbody>
        {promises.length === 0 && (
          <tr>
            <td colSpan={5}>{t("noPromises")}</td>
          </tr>
        )}
        {promises.map((p) => (
          <tr key={p.id}>
            <td>{loanNumber(p.loanId)}</td>
            <td className="num">{money(p.amount)}</td>
            <td>{date(p.dueDate)}</td>
            <td>
              <PromiseBadge status={p.status} />
            </td>
            <td>{dateTime(p.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PaymentsTable({ payments, loans }: { payments: Payment[] | null; loans: Loan[] }) {
  const { t, money, dateTime } = useI18n();
  if (!payments) return <p>{t("loading")}</p>;
  const loanNumber = (id: string) => loans.find((l) => l.id === id)?.loanNumber ?? "—";
  return (
    <table>
      <caption>{t("payments")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("paidAt")}</th>
          <th scope="col">{t("loanNumber")}</th>
          <th scope="col">{t("amount")}</th>
          <th scope="col">{t("method")}</th>
        </tr>
      </thead>
      <tbody>
        {payments.length === 0 && (
          <tr>
            <td colSpan={4}>{t("noPayments")}</td>
          </tr>
        )}
        {payments.map((p) => (
          <tr key={p.id}>
            <td>{dateTime(p.paidAt)}</td>
            <td>{loanNumber(p.loanId)}</td>
            <td className="num">{money(p.amount)}</td>
            <td>{p.method}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Timeline({ items, onMore }: { items: Interaction[]; onMore?: () => void }) {
  const { t, dateTime, code } = useI18n();
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t("timeline")}</h2>
      {items.length === 0 ? (
        <p>{t("noInteractions")}</p>
      ) : (
        <ol className="timeline" data-testid="timeline">
          {items.map((i) => (
            <li key={i.id}>
              <time dateTime={i.startedAt}>{dateTime(i.startedAt)}</time>{" "}
              <strong>{i.disposition ? code("disposition", i.disposition) : i.channel}</strong> ·{" "}
              {t(`direction.${i.direction}` as MessageKey)} · {i.agentName ?? "—"}
              {i.notes && <p className="notes">{i.notes}</p>}
            </li>
          ))}
        </ol>
      )}
      {onMore && (
        <button type="button" onClick={onMore}>
          {t("loadMore")}
        </button>
      )}
    </section>
  );
}
