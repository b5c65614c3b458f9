import { useEffect, useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { Alert, Field } from "../../lib/ui";
import { adminError, useConfirm } from "./shared";
import type { Team } from "./types";
import { RoleName } from "./user-parts";

interface Staff {
  id: string;
  name: string;
  role: "admin" | "supervisor" | "agent";
  isActive: boolean;
}

/** Teams: create one, rename it, move people in and out (a person belongs to one team at most). */
export function TeamsSection() {
  const i18n = useI18n();
  const { t } = i18n;
  const [teams, setTeams] = useState<Team[] | null>(null);
  const [staff, setStaff] = useState<Staff[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((n) => n + 1);
  const { ask, dialog } = useConfirm(reload);
  const [name, setName] = useState("");
  const [supervisorId, setSupervisorId] = useState("");

  useEffect(() => {
    Promise.all([
      unwrap(api.GET("/api/admin/teams")),
      unwrap(api.GET("/api/admin/users", { params: { query: { limit: 100, active: true } } })),
    ])
      .then(([t, u]) => {
        setTeams(t.data);
        setStaff(u.data);
      })
      .catch((err) => setError(adminError(err, i18n)));
  }, [reloads]);

  const act = async (call: () => Promise<unknown>) => {
    setError(null);
    try {
      await call();
      reload();
      return true;
    } catch (err) {
      setError(adminError(err, i18n));
      return false;
    }
  };
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await act(() =>
      unwrap(api.POST("/api/admin/teams", { body: { name: name.trim(), supervisorId: supervisorId || null } })),
    );
    if (ok) setName("");
  };
  const removeMember = (team: Team, member: Team["members"][number]) =>
    ask({
      title: t("adm.teams.removeMember.title", { name: member.name, team: team.name }),
      body: <p>{t("adm.teams.removeMember.explain")}</p>,
      confirmLabel: t("adm.remove"),
      run: () =>
        unwrap(
          api.DELETE("/api/admin/teams/{id}/members/{userId}", {
            params: { path: { id: team.id, userId: member.id } },
          }),
        ),
    });

  return (
    <section className="card" aria-labelledby="teams-title">
      <h2 id="teams-title">{t("adm.teams.title")}</h2>
      {error && <Alert>{error}</Alert>}
      {teams?.length === 0 && <p>{t("adm.teams.none")}</p>}
      {teams?.map((team) => (
        <TeamCard key={team.id} team={team} staff={staff} act={act} onRemove={(m) => removeMember(team, m)} />
      ))}
      <form className="row" onSubmit={create} aria-labelledby="team-create-title">
        <h3 id="team-create-title" className="row-title">
          {t("adm.teams.create")}
        </h3>
        <Field label={t("adm.teams.name")}>
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label={t("adm.teams.supervisor")}>
          <select value={supervisorId} onChange={(e) => setSupervisorId(e.target.value)}>
            <option value="">{t("adm.teams.noSupervisor")}</option>
            {staff
              .filter((s) => s.role !== "agent")
              .map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
          </select>
        </Field>
        <div className="filter-submit">
          <button type="submit" className="primary">
            {t("adm.teams.createButton")}
          </button>
        </div>
      </form>
      {dialog}
    </section>
  );
}

function TeamCard({
  team,
  staff,
  act,
  onRemove,
}: {
  team: Team;
  staff: Staff[];
  act(call: () => Promise<unknown>): Promise<boolean>;
  onRemove(member: Team["members"][number]): void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(team.name);
  const [adding, setAdding] = useState("");
  const path = { params: { path: { id: team.id } } };
  const outside = staff.filter((s) => !team.members.some((m) => m.id === s.id));
  const rename = (e: FormEvent) => {
    e.preventDefault();
    void act(() => unwrap(api.PATCH("/api/admin/teams/{id}", { ...path, body: { name: name.trim() } })));
  };
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!adding) return;
    if (await act(() => unwrap(api.POST("/api/admin/teams/{id}/members", { ...path, body: { userIds: [adding] } }))))
      setAdding("");
  };
  return (
    <div className="team" data-testid={`team-${team.name}`}>
      <h3>{team.name}</h3>
      <p className="hint">
        {t("adm.teams.supervisor")}: {team.supervisor?.name ?? t("adm.teams.noSupervisor")}
      </p>
      <form className="row" onSubmit={rename} aria-label={t("adm.teams.renameNamed", { name: team.name })}>
        <Field label={t("adm.teams.newName", { name: team.name })}>
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <div className="filter-submit">
          <button type="submit" disabled={name.trim() === team.name}>
            {t("adm.teams.rename")}
          </button>
        </div>
      </form>
      <ul className="members">
        {team.members.length === 0 && <li>{t("adm.teams.noMembers")}</li>}
        {team.members.map((m) => (
          <li key={m.id}>
            {m.name} (<RoleName role={m.role as Staff["role"]} />){" "}
            <button type="button" className="danger small" onClick={() => onRemove(m)}>
              {t("adm.teams.takeOut", { name: m.name })}
            </button>
          </li>
        ))}
      </ul>
      <form className="row" onSubmit={add} aria-label={t("adm.teams.addTo", { name: team.name })}>
        <Field label={t("adm.teams.addMember", { name: team.name })} hint={t("adm.teams.addHint")}>
          <select value={adding} onChange={(e) => setAdding(e.target.value)}>
            <option value="">{t("adm.teams.pick")}</option>
            {outside.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </Field>
        <div className="filter-submit">
          <button type="submit" disabled={!adding}>
            {t("adm.teams.add")}
          </button>
        </div>
      </form>
    </div>
  );
}
