import { useEffect, useState } from "react";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { Link } from "../../lib/router";
import { Alert, Badge } from "../../lib/ui";
import { centreDayStart, remaining, usePolled } from "./common";

/** How often the board asks again (a supervisor watches it; a few seconds late is fine). */
export const BOARD_REFRESH_MS = 5000;

function loadBoard(tz: string) {
  return Promise.all([
    unwrap(api.GET("/api/admin/claims", { params: { query: {} } })),
    unwrap(api.GET("/api/admin/assignments/summary")),
    unwrap(api.GET("/api/admin/stats/collections", { params: { query: { from: centreDayStart(tz) } } })),
  ]).then(([claims, summary, today]) => ({ claims, summary, today }));
}

/** Ticks every second so the claims' remaining time counts down between refreshes. */
function useNow() {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export default function Board() {
  const { t, money, timezone, when } = useI18n();
  const { data, error, at } = usePolled(() => loadBoard(timezone), BOARD_REFRESH_MS);
  const now = useNow();

  const contacts = new Map((data?.today.byAgent ?? []).map((a) => [a.agentId, a]));
  const agents = data?.summary.agents ?? [];
  const signedIn = agents.filter((a) => a.signedIn).length;

  return (
    <section aria-labelledby="board-title">
      <h1 id="board-title">{t("sup.board.title")}</h1>
      <p className="hint" data-testid="board-updated">
        {at ? t("sup.board.updated", { time: when(at.toISOString()), seconds: BOARD_REFRESH_MS / 1000 }) : t("loading")}
      </p>
      {error && <Alert>{error}</Alert>}
      {data && (
        <>
          <div className="grid">
            <div className="card figure">
              <span className="figure-value" data-testid="agents-signed-in">
                {signedIn} / {agents.length}
              </span>
              <span>{t("sup.board.signedIn")}</span>
            </div>
            <div className="card figure">
              <span className="figure-value" data-testid="live-claims">
                {data.claims.data.length}
              </span>
              <span>{t("sup.board.liveClaims")}</span>
            </div>
            <div className="card figure">
              <span className="figure-value">{data.today.totals.calls}</span>
              <span>{t("sup.board.callsToday")}</span>
            </div>
            <div className="card figure">
              <span className="figure-value">{data.today.totals.contacts}</span>
              <span>{t("sup.board.contactsToday")}</span>
            </div>
          </div>

          <table data-testid="claims">
            <caption>{t("sup.board.claimsCaption", { n: data.claims.data.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("sup.agent")}</th>
                <th scope="col">{t("customer")}</th>
                <th scope="col">{t("sup.board.since")}</th>
                <th scope="col">{t("sup.board.remaining")}</th>
              </tr>
            </thead>
            <tbody>
              {data.claims.data.length === 0 && (
                <tr>
                  <td colSpan={4}>{t("sup.board.noClaims")}</td>
                </tr>
              )}
              {data.claims.data.map((c) => (
                <tr key={c.customerId}>
                  <td>
                    {c.holder.type === "api_key" ? t("sup.board.dialer", { name: c.holder.name }) : c.holder.name}
                  </td>
                  <td>
                    <Link href={`/customers/${c.customerId}`}>{c.customerName}</Link>
                  </td>
                  <td>{when(c.claimedAt)}</td>
                  <td className="num">{remaining(c.expiresAt, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>

          <table data-testid="agents-today">
            <caption>{t("sup.board.agentsCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("sup.agent")}</th>
                <th scope="col">{t("sup.board.presence")}</th>
                <th scope="col">{t("sup.calls")}</th>
                <th scope="col">{t("sup.contacts")}</th>
                <th scope="col">{t("sup.rpc")}</th>
                <th scope="col">{t("sup.skips")}</th>
                <th scope="col">{t("sup.board.claims")}</th>
                <th scope="col">{t("sup.customers")}</th>
                <th scope="col">{t("sup.callableNow")}</th>
                <th scope="col">{t("totalOverdue")}</th>
              </tr>
            </thead>
            <tbody>
              {agents.map((a) => {
                const c = contacts.get(a.agentId);
                return (
                  <tr key={a.agentId} data-agent={a.name}>
                    <th scope="row">{a.name}</th>
                    <td>
                      {a.signedIn ? (
                        <Badge tone="ok">{t("sup.board.online")}</Badge>
                      ) : (
                        <Badge tone="muted">{t("sup.board.offline")}</Badge>
                      )}
                    </td>
                    <td className="num" data-col="calls">
                      {a.callsToday}
                    </td>
                    <td className="num" data-col="contacts">
                      {c?.contacts ?? 0}
                    </td>
                    <td className="num">{c?.rightPartyContacts ?? 0}</td>
                    <td className="num" data-col="skips">
                      {a.skipsToday}
                    </td>
                    <td className="num">{a.claimsLive}</td>
                    <td className="num">{a.customers}</td>
                    <td className="num">{a.callableNow}</td>
                    <td className="num">{money(a.totalOverdue)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
