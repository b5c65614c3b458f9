import type { paths } from "../../api/schema";
import { useI18n } from "../../i18n";
import type { Result } from "./Assign";

export type Summary = paths["/api/admin/assignments/summary"]["get"]["responses"][200]["content"]["application/json"];

/** Where a preview (or an assignment) sends the customers: one row per new owner. */
export function OwnersTable({
  result,
  names,
  caption,
}: {
  result: Result;
  names: { agent(id: string | null): string; team(id: string | null): string };
  caption: string;
}) {
  const { t, money } = useI18n();
  return (
    <table data-testid="owners">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t("sup.agent")}</th>
          <th scope="col">{t("sup.team")}</th>
          <th scope="col">{t("sup.customers")}</th>
          <th scope="col">{t("totalOverdue")}</th>
        </tr>
      </thead>
      <tbody>
        {result.owners.map((o) => (
          <tr key={`${o.agentId}/${o.teamId}`}>
            <td>{o.agentId ? names.agent(o.agentId) : t("sup.assign.wholeTeam")}</td>
            <td>{names.team(o.teamId)}</td>
            <td className="num">{o.customers}</td>
            <td className="num">{money(o.totalOverdue)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Per agent (of one team, when given): customers owned, total overdue, callable now, today's work. */
export function SummaryTable({ summary, teamId }: { summary: Summary; teamId?: string }) {
  const { t, money } = useI18n();
  const agents = teamId ? summary.agents.filter((a) => a.teamId === teamId) : summary.agents;
  const team = teamId ? summary.teams.find((x) => x.teamId === teamId) : undefined;
  return (
    <table data-testid="agent-summary">
      <caption>{team ? t("sup.summary.team", { name: team.name }) : t("sup.summary.all")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("sup.agent")}</th>
          <th scope="col">{t("sup.customers")}</th>
          <th scope="col">{t("totalOverdue")}</th>
          <th scope="col">{t("sup.callableNow")}</th>
          <th scope="col">{t("sup.calls")}</th>
          <th scope="col">{t("sup.skips")}</th>
        </tr>
      </thead>
      <tbody>
        {agents.map((a) => (
          <tr key={a.agentId} data-agent={a.name}>
            <th scope="row">{a.name}</th>
            <td className="num" data-col="customers">
              {a.customers}
            </td>
            <td className="num">{money(a.totalOverdue)}</td>
            <td className="num">{a.callableNow}</td>
            <td className="num">{a.callsToday}</td>
            <td className="num">{a.skipsToday}</td>
          </tr>
        ))}
      </tbody>
      {team && (
        <tfoot>
          <tr>
            <th scope="row">{t("sup.summary.teamTotal")}</th>
            <td className="num">{team.customers}</td>
            <td className="num">{money(team.totalOverdue)}</td>
            <td className="num">{team.callableNow}</td>
            <td className="num">{team.callsToday}</td>
            <td className="num">{team.skipsToday}</td>
          </tr>
        </tfoot>
      )}
    </table>
  );
}
