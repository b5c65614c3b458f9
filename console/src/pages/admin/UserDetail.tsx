import { Fragment, useEffect, useState } from "react";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { useAuth } from "../../lib/auth";
import { Link } from "../../lib/router";
import { Alert, Field } from "../../lib/ui";
import { adminError, useConfirm } from "./shared";
import type { Activity, AdminUser, Role, UserSession } from "./types";
import { UserSessions } from "./UserSessions";
import { RoleName, RoleOptions, UserStateBadges } from "./user-parts";

type StateAction = "lock" | "unlock" | "deactivate" | "activate";
const id$ = (id: string) => ({ params: { path: { id } } });

/** One account: its state, role, approval, sessions and activity; every change confirmed, every refusal in words. */
export function UserDetailPage({ id }: { id: string }) {
  const i18n = useI18n();
  const { t, dateTime } = i18n;
  const { user: me, reloadUser } = useAuth();
  const [user, setUser] = useState<AdminUser | null>(null);
  const [sessions, setSessions] = useState<UserSession[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [role, setRole] = useState<Role>("agent");
  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((n) => n + 1);
  const { ask, dialog } = useConfirm(reload);

  useEffect(() => {
    Promise.all([
      unwrap(api.GET("/api/admin/users/{id}", id$(id))),
      unwrap(api.GET("/api/admin/users/{id}/sessions", id$(id))),
    ])
      .then(([u, s]) => {
        setUser(u);
        setRole(u.role);
        setSessions(s.data);
      })
      .catch((err) => setError(adminError(err, i18n)));
    // Loaded again after each change (reloads); the language only changes the words.
  }, [id, reloads]);

  if (error) return <Alert>{error}</Alert>;
  if (!user) return <p>{t("loading")}</p>;

  const stateAction = (action: StateAction) =>
    ask({
      title: t(`adm.user.${action}.title`, { name: user.name }),
      body: <p>{t(`adm.user.${action}.explain`)}</p>,
      confirmLabel: t(`adm.user.${action}`),
      reason: true,
      run: async (reason) => {
        await unwrap(api.POST(`/api/admin/users/{id}/${action}` as const, { ...id$(id), body: { reason } }));
        setNotice(t(`adm.user.${action}.done`, { name: user.name }));
      },
    });
  const changeRole = () =>
    ask({
      title: t("adm.user.role.title", { name: user.name }),
      body: <p>{t("adm.user.role.explain", { from: t(`adm.role.${user.role}`), to: t(`adm.role.${role}`) })}</p>,
      confirmLabel: t("adm.user.role.confirm"),
      run: async () => {
        await unwrap(api.PATCH("/api/admin/users/{id}", { ...id$(id), body: { role } }));
        // Your own role: the console's screens follow it at once (the API already does).
        if (me?.id === user.id) await reloadUser();
        setNotice(t("adm.user.role.done", { name: user.name }));
      },
    });
  const approve = () =>
    ask({
      title: t("adm.user.approve.title", { name: user.name }),
      body: <p>{t("adm.user.approve.explain", { role: t(`adm.role.${role}`) })}</p>,
      confirmLabel: t("adm.user.approve"),
      run: async () => {
        await unwrap(api.POST("/api/admin/users/{id}/approve", { ...id$(id), body: { role } }));
        setNotice(t("adm.user.approve.done", { name: user.name }));
      },
    });
  const endSessions = () =>
    ask({
      title: t("adm.user.endSessions.title", { name: user.name }),
      body: <p>{t("adm.user.endSessions.explain")}</p>,
      confirmLabel: t("adm.user.endSessions"),
      run: async () => {
        await unwrap(api.DELETE("/api/admin/users/{id}/sessions", id$(id)));
        setNotice(t("adm.user.endSessions.done"));
      },
    });
  const endSession = (s: UserSession) =>
    ask({
      title: t("adm.sessions.endOne"),
      body: (
        <p>
          {`${dateTime(s.createdAt)} · ${s.ip ?? "—"} · ${s.userAgent ?? "—"}`}
          <br />
          {t("adm.sessions.endOneText")}
        </p>
      ),
      confirmLabel: t("adm.sessions.end"),
      run: async () => {
        await unwrap(
          api.DELETE("/api/admin/users/{id}/sessions/{sessionId}", { params: { path: { id, sessionId: s.id } } }),
        );
        setNotice(t("adm.sessions.endedOne"));
      },
    });
  const self = me?.id === user.id;

  return (
    <section aria-labelledby="user-title">
      <p>
        <Link href="/admin/users">{t("adm.users.back")}</Link>
      </p>
      <h1 id="user-title">{user.name}</h1>
      {notice && <Alert kind="success">{notice}</Alert>}
      <div className="grid">
        <div className="card">
          <h2>{t("adm.user.account")}</h2>
          <dl>
            <dt>{t("adm.email")}</dt>
            <dd>
              {user.email} {user.emailVerified ? `(${t("adm.user.verified")})` : `(${t("adm.user.notVerified")})`}
            </dd>
            <dt>{t("phone")}</dt>
            <dd>{user.phone ?? "—"}</dd>
            <dt>{t("adm.role")}</dt>
            <dd>
              <RoleName role={user.role} />
            </dd>
            <dt>{t("adm.users.state")}</dt>
            <dd data-testid="user-state">
              <UserStateBadges user={user} />
            </dd>
            {user.adminLock && (
              <>
                <dt>{t("adm.user.lockReason")}</dt>
                <dd>
                  {user.adminLock.reason ?? "—"} ({dateTime(user.adminLock.lockedAt)})
                </dd>
              </>
            )}
            {user.lockedUntil && (
              <>
                <dt>{t("adm.user.lockedUntil")}</dt>
                <dd>{dateTime(user.lockedUntil)}</dd>
              </>
            )}
            <dt>{t("adm.user.failedAttempts")}</dt>
            <dd>{user.failedLoginAttempts}</dd>
            <dt>{t("adm.lastLogin")}</dt>
            <dd>{user.lastLoginAt ? dateTime(user.lastLoginAt) : "—"}</dd>
            <dt>{t("adm.created")}</dt>
            <dd>{dateTime(user.createdAt)}</dd>
          </dl>
        </div>
        <div className="card">
          <h2>{t("adm.user.actions")}</h2>
          <div className="row">
            <Field label={user.pendingApproval ? t("adm.user.approveAs") : t("adm.role")}>
              <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
                <RoleOptions />
              </select>
            </Field>
          </div>
          <div className="actions">
            {user.pendingApproval ? (
              <button type="button" className="primary" onClick={approve}>
                {t("adm.user.approve")}
              </button>
            ) : (
              <button type="button" onClick={changeRole} disabled={role === user.role}>
                {t("adm.user.role.confirm")}
              </button>
            )}
          </div>
          <div className="actions account-actions">
            {user.adminLock || user.isLocked ? (
              <button type="button" onClick={() => stateAction("unlock")}>
                {t("adm.user.unlock")}
              </button>
            ) : (
              <button type="button" className="danger" onClick={() => stateAction("lock")} disabled={self}>
                {t("adm.user.lock")}
              </button>
            )}
            {user.isActive ? (
              <button type="button" className="danger" onClick={() => stateAction("deactivate")} disabled={self}>
                {t("adm.user.deactivate")}
              </button>
            ) : (
              <button type="button" onClick={() => stateAction("activate")}>
                {t("adm.user.activate")}
              </button>
            )}
          </div>
          {self && <p className="hint">{t("adm.user.selfHint")}</p>}
        </div>
      </div>
      <UserSessions sessions={sessions ?? []} onEnd={endSession} onEndAll={endSessions} />
      <ActivityCard id={id} />
      {dialog}
    </section>
  );
}

function ActivityCard({ id }: { id: string }) {
  const i18n = useI18n();
  const { t, dateTime } = i18n;
  const [days, setDays] = useState(30);
  const [activity, setActivity] = useState<Activity | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    unwrap(api.GET("/api/admin/users/{id}/activity", { params: { path: { id }, query: { days } } }))
      .then(setActivity)
      .catch((err) => setError(adminError(err, i18n)));
  }, [id, days]);
  const rows: [string, string | number][] = activity
    ? [
        [t("adm.activity.logins"), activity.logins],
        [t("adm.activity.failedLogins"), activity.failedLogins],
        [t("adm.activity.activeSessions"), activity.activeSessions],
        [t("adm.activity.interactions"), activity.interactionsRecorded],
        [t("adm.activity.promisesTaken"), activity.promisesTaken],
        [t("adm.activity.promisesKept"), activity.promisesKept],
        [t("adm.activity.lastActivity"), activity.lastActivityAt ? dateTime(activity.lastActivityAt) : "—"],
      ]
    : [];
  return (
    <div className="card" data-testid="activity">
      <h2>{t("adm.activity.title")}</h2>
      <div className="row filters">
        <Field label={t("adm.activity.period")}>
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {[7, 30, 90, 365].map((d) => (
              <option key={d} value={d}>
                {t("adm.activity.days", { n: d })}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {error && <Alert>{error}</Alert>}
      <dl>
        {rows.map(([label, value]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
      </dl>
    </div>
  );
}
