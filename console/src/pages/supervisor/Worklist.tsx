import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import { Link } from "../../lib/router";
import { Alert, Field } from "../../lib/ui";
import { describeSummary } from "../CallSummary";
import { BucketBadge } from "../parts";
import { usePolled } from "./common";

const loadTargets = () =>
  Promise.all([unwrap(api.GET("/api/admin/teams")), unwrap(api.GET("/api/admin/assignments/summary"))]).then(
    ([teams, summary]) => ({ teams: teams.data, agents: summary.agents }),
  );

const preview = (target: string) => {
  const [kind, id] = target.split(":");
  return unwrap(
    api.GET("/api/admin/worklist", {
      params: { query: { limit: 50, ...(kind === "team" ? { teamId: id } : { agentId: id }) } },
    }),
  );
};

/** What an agent's next calls would be, or a team's callable customers, in worklist order. */
export default function Worklist() {
  const i18n = useI18n();
  const { t, money } = i18n;
  const targets = usePolled(loadTargets);
  const [target, setTarget] = useState("");
  const chosen =
    target ||
    (targets.data?.teams[0] ? `team:${targets.data.teams[0].id}` : "") ||
    (targets.data?.agents[0] ? `agent:${targets.data.agents[0].agentId}` : "");
  const list = usePolled(() => (chosen ? preview(chosen) : Promise.resolve(null)), 30_000, chosen);

  return (
    <section aria-labelledby="wl-title">
      <h1 id="wl-title">{t("sup.wl.title")}</h1>
      <p>{t("sup.wl.intro")}</p>
      <div className="row">
        <Field label={t("sup.wl.whose")}>
          <select value={chosen} onChange={(e) => setTarget(e.target.value)}>
            <optgroup label={t("sup.wl.teams")}>
              {targets.data?.teams.map((x) => (
                <option key={x.id} value={`team:${x.id}`}>
                  {x.name}
                </option>
              ))}
            </optgroup>
            <optgroup label={t("sup.wl.agents")}>
              {targets.data?.agents.map((a) => (
                <option key={a.agentId} value={`agent:${a.agentId}`}>
                  {a.name}
                </option>
              ))}
            </optgroup>
          </select>
        </Field>
      </div>
      {(targets.error || list.error) && <Alert>{targets.error ?? list.error}</Alert>}
      {list.data && (
        <>
          <p className="summary-words" data-testid="preview-summary">
            {describeSummary(list.data.summary, i18n, false)}
          </p>
          <table data-testid="worklist-preview">
            <caption>{t("sup.wl.caption", { n: list.data.data.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("name")}</th>
                <th scope="col">{t("phone")}</th>
                <th scope="col">{t("daysPastDue")}</th>
                <th scope="col">{t("overdue")}</th>
                <th scope="col">{t("why")}</th>
                <th scope="col">{t("sup.agent")}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.length === 0 && (
                <tr>
                  <td colSpan={6}>{t("emptyList")}</td>
                </tr>
              )}
              {list.data.data.map((row) => (
                <tr key={row.customerId}>
                  <td>
                    <Link href={`/supervisor/customers/${row.customerId}`}>{row.fullName}</Link>
                  </td>
                  <td>{row.phone}</td>
                  <td className="num">
                    {row.daysPastDue} <BucketBadge bucket={row.bucket} />
                  </td>
                  <td className="num">{money(row.totalOverdue)}</td>
                  <td>{t(`why.${row.reason}` as MessageKey)}</td>
                  <td>{row.owner?.agentName ?? row.owner?.teamName ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
