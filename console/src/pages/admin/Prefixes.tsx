import { useEffect, useState, type FormEvent } from "react";
import { api, ApiError, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { Alert, Badge, Field } from "../../lib/ui";
import { adminError, useConfirm } from "./shared";
import type { Prefix } from "./types";

/** The Mobilis prefixes a staff phone must start with: add, switch on or off, remove. */
export function PrefixesSection() {
  const i18n = useI18n();
  const { t } = i18n;
  const [rows, setRows] = useState<Prefix[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((n) => n + 1);
  const { ask, dialog } = useConfirm(reload);
  const [prefix, setPrefix] = useState("+213");
  const [description, setDescription] = useState("");
  const [fieldError, setFieldError] = useState<string | undefined>();

  useEffect(() => {
    unwrap(api.GET("/api/admin/phone-prefixes"))
      .then((r) => setRows(r.data))
      .catch((err) => setError(adminError(err, i18n)));
  }, [reloads]);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setFieldError(undefined);
    try {
      await unwrap(
        api.POST("/api/admin/phone-prefixes", {
          body: { prefix: prefix.trim(), description: description.trim() || null },
        }),
      );
      setPrefix("+213");
      setDescription("");
      reload();
    } catch (err) {
      setError(adminError(err, i18n));
      if (err instanceof ApiError) setFieldError(err.fieldErrors().prefix);
    }
  };
  const toggle = (p: Prefix) =>
    ask({
      title: t(p.isActive ? "adm.prefixes.disable.title" : "adm.prefixes.enable.title", { prefix: p.prefix }),
      body: <p>{t(p.isActive ? "adm.prefixes.disable.explain" : "adm.prefixes.enable.explain")}</p>,
      confirmLabel: t(p.isActive ? "adm.prefixes.disable" : "adm.prefixes.enable"),
      run: () =>
        unwrap(
          api.PATCH("/api/admin/phone-prefixes/{id}", {
            params: { path: { id: p.id } },
            body: { isActive: !p.isActive },
          }),
        ),
    });
  const remove = (p: Prefix) =>
    ask({
      title: t("adm.prefixes.remove.title", { prefix: p.prefix }),
      body: <p>{t("adm.prefixes.remove.explain")}</p>,
      confirmLabel: t("adm.remove"),
      run: () => unwrap(api.DELETE("/api/admin/phone-prefixes/{id}", { params: { path: { id: p.id } } })),
    });

  return (
    <section className="card" aria-labelledby="prefixes-title">
      <h2 id="prefixes-title">{t("adm.prefixes.title")}</h2>
      <p className="hint">{t("adm.prefixes.intro")}</p>
      {error && <Alert>{error}</Alert>}
      {rows && (
        <table data-testid="prefixes">
          <caption className="visually-hidden">{t("adm.prefixes.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("adm.prefixes.prefix")}</th>
              <th scope="col">{t("adm.description")}</th>
              <th scope="col">{t("adm.users.state")}</th>
              <th scope="col">{t("adm.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr key={p.id}>
                <td>
                  <code>{p.prefix}</code>
                </td>
                <td>{p.description ?? "—"}</td>
                <td>
                  {p.isActive ? (
                    <Badge tone="ok">{t("adm.state.active")}</Badge>
                  ) : (
                    <Badge tone="muted">{t("adm.state.disabled")}</Badge>
                  )}
                </td>
                <td>
                  <div className="actions">
                    <button type="button" onClick={() => toggle(p)}>
                      {t(p.isActive ? "adm.prefixes.disable" : "adm.prefixes.enable")}
                      <span className="visually-hidden"> {p.prefix}</span>
                    </button>
                    <button type="button" className="danger" onClick={() => remove(p)}>
                      {t("adm.remove")}
                      <span className="visually-hidden"> {p.prefix}</span>
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="row" onSubmit={add} aria-label={t("adm.prefixes.add")}>
        <Field label={t("adm.prefixes.prefix")} hint={t("adm.prefixes.prefixHint")} error={fieldError}>
          <input required value={prefix} onChange={(e) => setPrefix(e.target.value)} />
        </Field>
        <Field label={t("adm.description")}>
          <input value={description} maxLength={200} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <div className="filter-submit">
          <button type="submit" className="primary">
            {t("adm.prefixes.add")}
          </button>
        </div>
      </form>
      {dialog}
    </section>
  );
}
