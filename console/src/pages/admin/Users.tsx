import { useState, type FormEvent } from "react";
import { api, ApiError, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { Link } from "../../lib/router";
import { Alert, Field } from "../../lib/ui";
import { adminError, FilterForm, Pager, useCursorPages } from "./shared";
import type { AdminUserCreated, Role } from "./types";
import { RoleName, RoleOptions, UserStateBadges } from "./user-parts";

type State = "" | "active" | "inactive" | "locked" | "pending";
interface Filter {
  q: string;
  role: "" | Role;
  state: State;
}

const stateQuery = (s: State) =>
  ({
    "": {},
    active: { active: true },
    inactive: { active: false },
    locked: { locked: true },
    pending: { pendingApproval: true },
  })[s];

/** Staff accounts: filters, keyset pages, and a form to create one with its role. */
export function UsersPage() {
  const { t, dateTime } = useI18n();
  const [draft, setDraft] = useState<Filter>({ q: "", role: "", state: "" });
  const [filter, setFilter] = useState<Filter>(draft);
  const pages = useCursorPages(JSON.stringify(filter), (cursor) =>
    unwrap(
      api.GET("/api/admin/users", {
        params: {
          query: {
            limit: 25,
            cursor,
            q: filter.q.trim() || undefined,
            role: filter.role || undefined,
            ...stateQuery(filter.state),
          },
        },
      }),
    ),
  );

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">{t("adm.users.title")}</h1>
      <FilterForm onApply={() => setFilter(draft)}>
        <Field label={t("adm.users.q")}>
          <input type="search" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
        </Field>
        <Field label={t("adm.role")}>
          <select value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.target.value as Filter["role"] })}>
            <option value="">{t("adm.any")}</option>
            <RoleOptions />
          </select>
        </Field>
        <Field label={t("adm.users.state")}>
          <select value={draft.state} onChange={(e) => setDraft({ ...draft, state: e.target.value as State })}>
            <option value="">{t("adm.any")}</option>
            <option value="active">{t("adm.state.active")}</option>
            <option value="inactive">{t("adm.state.inactive")}</option>
            <option value="locked">{t("adm.state.locked")}</option>
            <option value="pending">{t("adm.state.pending")}</option>
          </select>
        </Field>
      </FilterForm>
      {pages.error && <Alert>{pages.error}</Alert>}
      {!pages.rows && !pages.error && <p>{t("loading")}</p>}
      {pages.rows && (
        <table data-testid="users">
          <caption>{t("adm.users.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("adm.email")}</th>
              <th scope="col">{t("adm.role")}</th>
              <th scope="col">{t("adm.users.state")}</th>
              <th scope="col">{t("adm.lastLogin")}</th>
            </tr>
          </thead>
          <tbody>
            {pages.rows.length === 0 && (
              <tr>
                <td colSpan={5}>{t("adm.none")}</td>
              </tr>
            )}
            {pages.rows.map((u) => (
              <tr key={u.id}>
                <td>
                  <Link href={`/admin/users/${u.id}`}>{u.name}</Link>
                </td>
                <td>{u.email}</td>
                <td>
                  <RoleName role={u.role} />
                </td>
                <td>
                  <UserStateBadges user={u} />
                </td>
                <td>{u.lastLoginAt ? dateTime(u.lastLoginAt) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pages={pages} />
      <CreateUser onCreated={pages.reload} />
    </section>
  );
}

function CreateUser({ onCreated }: { onCreated(): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const empty = { email: "", name: "", role: "agent" as Role, phone: "", initialPassword: "" };
  const [form, setForm] = useState(empty);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [done, setDone] = useState<AdminUserCreated | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof empty) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFields({});
    setDone(null);
    try {
      const created = await unwrap(
        api.POST("/api/admin/users", {
          body: {
            email: form.email.trim(),
            name: form.name.trim(),
            role: form.role,
            ...(form.phone.trim() ? { phone: form.phone.trim() } : {}),
            ...(form.initialPassword ? { initialPassword: form.initialPassword } : {}),
          },
        }),
      );
      setDone(created);
      setForm(empty);
      onCreated();
    } catch (err) {
      setError(adminError(err, i18n));
      if (err instanceof ApiError) setFields(err.fieldErrors());
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="create-user-title">
      <h2 id="create-user-title">{t("adm.users.create")}</h2>
      {done && (
        <Alert kind="success">
          {t(done.passwordSetup === "initial_password" ? "adm.users.createdInitial" : "adm.users.createdReset", {
            name: done.user.name,
          })}
        </Alert>
      )}
      {error && <Alert>{error}</Alert>}
      <div className="row">
        <Field label={t("adm.email")} error={fields.email}>
          <input type="email" required value={form.email} onChange={set("email")} autoComplete="off" />
        </Field>
        <Field label={t("name")} error={fields.name}>
          <input required value={form.name} onChange={set("name")} autoComplete="off" />
        </Field>
        <Field label={t("adm.role")} error={fields.role}>
          <select value={form.role} onChange={set("role")}>
            <RoleOptions />
          </select>
        </Field>
      </div>
      <div className="row">
        <Field label={t("adm.phoneOptional")} error={fields.phone}>
          <input type="tel" value={form.phone} onChange={set("phone")} autoComplete="off" />
        </Field>
        <Field
          label={t("adm.users.initialPassword")}
          hint={t("adm.users.initialPasswordHint")}
          error={fields.initialPassword}
        >
          <input
            type="password"
            value={form.initialPassword}
            onChange={set("initialPassword")}
            autoComplete="new-password"
          />
        </Field>
      </div>
      <button type="submit" className="primary" disabled={busy}>
        {t("adm.users.createButton")}
      </button>
    </form>
  );
}
