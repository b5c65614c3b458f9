import { useI18n } from "../../i18n";
import type { UserSession } from "./types";

/** The account's live sessions (where from, since when) and the way to end one or all of them. */
export function UserSessions({
  sessions,
  onEnd,
  onEndAll,
}: {
  sessions: UserSession[];
  onEnd(session: UserSession): void;
  onEndAll(): void;
}) {
  const { t, dateTime } = useI18n();
  return (
    <div className="card">
      <h2>{t("adm.sessions.title")}</h2>
      <table data-testid="sessions">
        <caption className="visually-hidden">{t("adm.sessions.title")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("adm.sessions.started")}</th>
            <th scope="col">{t("adm.sessions.lastActivity")}</th>
            <th scope="col">{t("adm.ip")}</th>
            <th scope="col">{t("adm.sessions.browser")}</th>
            <th scope="col">
              <span className="visually-hidden">{t("adm.actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.length === 0 && (
            <tr>
              <td colSpan={5}>{t("adm.sessions.none")}</td>
            </tr>
          )}
          {sessions.map((s) => (
            <tr key={s.id}>
              <td>{dateTime(s.createdAt)}</td>
              <td>{dateTime(s.lastActivityAt)}</td>
              <td>{s.ip ?? "—"}</td>
              <td className="ua">{s.userAgent ?? "—"}</td>
              <td>
                <button type="button" className="danger" onClick={() => onEnd(s)}>
                  {t("adm.sessions.end")}
                  <span className="visually-hidden">
                    {" "}
                    {dateTime(s.createdAt)} {s.ip ?? ""}
                  </span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="danger" onClick={onEndAll} disabled={sessions.length === 0}>
        {t("adm.user.endSessions")}
      </button>
    </div>
  );
}
