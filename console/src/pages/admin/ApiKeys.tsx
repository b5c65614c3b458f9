import { useEffect, useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { Alert, Badge, Field } from "../../lib/ui";
import { adminError, useConfirm } from "./shared";
import type { ApiKey, ApiKeyCreated } from "./types";

const SCOPES = ["precall:read", "postcall:write", "worklist:read", "worklist:claim"] as const;
type Scope = (typeof SCOPES)[number];

/** Keys for dialers and voice bots: created with scopes (the key shown once), listed, revoked. */
export function ApiKeysPage() {
  const i18n = useI18n();
  const { t, dateTime } = i18n;
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((n) => n + 1);
  const { ask, dialog } = useConfirm(reload);

  useEffect(() => {
    unwrap(api.GET("/api/admin/api-keys"))
      .then((r) => setKeys(r.data))
      .catch((err) => setError(adminError(err, i18n)));
  }, [reloads]);

  const revoke = (key: ApiKey) =>
    ask({
      title: t("adm.keys.revoke.title", { name: key.name }),
      body: <p>{t("adm.keys.revoke.explain")}</p>,
      confirmLabel: t("adm.keys.revoke"),
      run: () => unwrap(api.DELETE("/api/admin/api-keys/{id}", { params: { path: { id: key.id } } })),
    });

  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">{t("adm.keys.title")}</h1>
      <p>{t("adm.keys.intro")}</p>
      <CreateKey onCreated={reload} />
      {error && <Alert>{error}</Alert>}
      {keys && (
        <table data-testid="api-keys">
          <caption>{t("adm.keys.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("adm.keys.prefix")}</th>
              <th scope="col">{t("adm.keys.scopes")}</th>
              <th scope="col">{t("adm.created")}</th>
              <th scope="col">{t("adm.keys.lastUsed")}</th>
              <th scope="col">{t("adm.users.state")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("adm.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.length === 0 && (
              <tr>
                <td colSpan={7}>{t("adm.none")}</td>
              </tr>
            )}
            {keys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.keyPrefix}…</code>
                </td>
                <td>{k.scopes.join(", ")}</td>
                <td>{dateTime(k.createdAt)}</td>
                <td>{k.lastUsedAt ? dateTime(k.lastUsedAt) : t("adm.keys.neverUsed")}</td>
                <td>
                  {k.revokedAt ? (
                    <Badge tone="muted">{t("adm.keys.revokedOn", { time: dateTime(k.revokedAt) })}</Badge>
                  ) : (
                    <Badge tone="ok">{t("adm.state.active")}</Badge>
                  )}
                </td>
                <td>
                  {!k.revokedAt && (
                    <button
                      type="button"
                      className="danger"
                      onClick={() => revoke(k)}
                      aria-label={t("adm.keys.revokeNamed", { name: k.name })}
                    >
                      {t("adm.keys.revoke")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {dialog}
    </section>
  );
}

function CreateKey({ onCreated }: { onCreated(): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const toggle = (s: Scope) => setScopes((all) => (all.includes(s) ? all.filter((x) => x !== s) : [...all, s]));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (scopes.length === 0) return setError(t("adm.keys.pickScope"));
    setBusy(true);
    try {
      setCreated(await unwrap(api.POST("/api/admin/api-keys", { body: { name: name.trim(), scopes } })));
      setCopied(false);
      setName("");
      setScopes([]);
      onCreated();
    } catch (err) {
      setError(adminError(err, i18n));
    } finally {
      setBusy(false);
    }
  };
  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied(true);
    } catch {
      setError(t("adm.keys.copyFailed"));
    }
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="create-key-title">
      <h2 id="create-key-title">{t("adm.keys.create")}</h2>
      {created && (
        <div className="alert alert-success" role="status" data-testid="new-key">
          <p>{t("adm.keys.shownOnce", { name: created.name })}</p>
          <p className="secret">
            <code data-testid="new-key-value">{created.key}</code>{" "}
            <button type="button" onClick={() => void copy()}>
              {t("adm.keys.copy")}
            </button>{" "}
            {copied && <span>{t("adm.keys.copied")}</span>}
          </p>
        </div>
      )}
      {error && <Alert>{error}</Alert>}
      <Field label={t("name")} hint={t("adm.keys.nameHint")}>
        <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <fieldset className="scopes">
        <legend>{t("adm.keys.scopes")}</legend>
        {SCOPES.map((s) => (
          <label key={s}>
            <input type="checkbox" checked={scopes.includes(s)} onChange={() => toggle(s)} /> <code>{s}</code> —{" "}
            {t(`adm.scope.${s}`)}
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary" disabled={busy}>
        {t("adm.keys.createButton")}
      </button>
    </form>
  );
}
