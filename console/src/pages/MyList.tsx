import { useEffect, useState } from "react";
import { api, unwrap } from "../api/client";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { useAuth } from "../lib/auth";
import { describeError } from "../lib/errors";
import { Link } from "../lib/router";
import { Alert, Badge } from "../lib/ui";
import { describeSummary } from "./CallSummary";
import { NEXT_CALL_SHORTCUT, requestNextCall } from "./NextCall";
import { BucketBadge } from "./parts";

const fetchWorklist = () => unwrap(api.GET("/api/crm/worklist", { params: { query: { limit: 50 } } }));
type Worklist = Awaited<ReturnType<typeof fetchWorklist>>;

/** The agent's own worklist: what next call would give them now, best first, and why the list is this long. */
export function MyListPage() {
  const i18n = useI18n();
  const { t, money } = i18n;
  const { config } = useAuth();
  const [list, setList] = useState<Worklist | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    fetchWorklist()
      .then(setList)
      .catch((err) => setError(describeError(err, i18n)));
  }, []);

  const owner = (o: Worklist["data"][number]["owner"]) => {
    if (!o) return "—";
    if (o.claimedByYou) return <Badge tone="warn">{t("heldByYou")}</Badge>;
    if (o.pool === "own") return t("pool.own");
    if (o.pool === "team") return t("pool.team", { name: o.teamName ?? "—" });
    if (o.pool === "unowned") return t("pool.unowned");
    return o.agentName ?? o.teamName ?? "—";
  };

  return (
    <section aria-labelledby="mylist-title">
      <h1 id="mylist-title">{t("myListTitle")}</h1>
      <p>{t("myListIntro")}</p>
      {config?.features.nextCall && (
        <p>
          <button type="button" className="primary" onClick={requestNextCall} aria-keyshortcuts={NEXT_CALL_SHORTCUT}>
            {t("nextCall")}
          </button>{" "}
          <span className="hint">{t("shortcut", { keys: NEXT_CALL_SHORTCUT })}</span>
        </p>
      )}
      {error && <Alert>{error}</Alert>}
      {!list && !error && <p>{t("loading")}</p>}
      {list && (
        <>
          <p className="summary-words" data-testid="worklist-summary">
            {describeSummary(list.summary, i18n, true)}
          </p>
          <table data-testid="worklist">
            <caption>{t("myListCaption", { n: list.data.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("name")}</th>
                <th scope="col">{t("phone")}</th>
                <th scope="col">{t("daysPastDue")}</th>
                <th scope="col">{t("overdue")}</th>
                <th scope="col">{t("why")}</th>
                <th scope="col">{t("owner")}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.length === 0 && (
                <tr>
                  <td colSpan={6}>{t("emptyList")}</td>
                </tr>
              )}
              {list.data.map((row) => (
                <tr key={row.customerId}>
                  <td>
                    <Link href={`/customers/${row.customerId}`}>{row.fullName}</Link>
                  </td>
                  <td>{row.phone}</td>
                  <td className="num">
                    {row.daysPastDue} <BucketBadge bucket={row.bucket} />
                  </td>
                  <td className="num">{money(row.totalOverdue)}</td>
                  <td>{t(`why.${row.reason}` as MessageKey)}</td>
                  <td>{owner(row.owner)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
