import { useEffect, useState, type FormEvent } from "react";
import { api, ApiError, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { Alert, Badge, Field } from "../../lib/ui";
import { adminError, useConfirm } from "./shared";

const loadDispositions = async () => (await unwrap(api.GET("/api/admin/dispositions"))).data;
type AdminDisposition = Awaited<ReturnType<typeof loadDispositions>>[number];

/**
 * The call outcomes agents pick from, in picker order: a centre adds its own (it counts as a contact
 * or right-party contact as declared and has no other effect), relabels and retires them.
 */
export function DispositionsSection() {
  const i18n = useI18n();
  const { t, code } = i18n;
  const [rows, setRows] = useState<AdminDisposition[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((n) => n + 1);
  const { ask, dialog } = useConfirm(reload);
  const [draft, setDraft] = useState({ code: "", label: "", counts: "none" as "none" | "contact" | "rpc" });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    loadDispositions()
      .then(setRows)
      .catch((err) => setError(adminError(err, i18n)));
  }, [reloads]);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setFieldErrors({});
    try {
      await unwrap(
        api.POST("/api/admin/dispositions", {
          body: {
            code: draft.code.trim(),
            label: draft.label.trim(),
            contacted: draft.counts !== "none",
            rightPartyContact: draft.counts === "rpc",
          },
        }),
      );
      setDraft({ code: "", label: "", counts: "none" });
      reload();
    } catch (err) {
      setError(adminError(err, i18n));
      if (err instanceof ApiError) setFieldErrors(err.fieldErrors());
    }
  };
  const toggle = (d: AdminDisposition) =>
    ask({
      title: t(d.isActive ? "adm.dispositions.retire.title" : "adm.dispositions.restore.title", { code: d.code }),
      body: <p>{t(d.isActive ? "adm.dispositions.retire.explain" : "adm.dispositions.restore.explain")}</p>,
      confirmLabel: t(d.isActive ? "adm.dispositions.retire" : "adm.dispositions.restore"),
      run: () =>
        unwrap(
          api.PATCH("/api/admin/dispositions/{code}", {
            params: { path: { code: d.code } },
            body: { isActive: !d.isActive },
          }),
        ),
    });

  return (
    <section className="card" aria-labelledby="dispositions-title">
      <h2 id="dispositions-title">{t("adm.dispositions.title")}</h2>
      <p className="hint">{t("adm.dispositions.intro")}</p>
      {error && <Alert>{error}</Alert>}
      {rows && (
        <table data-testid="dispositions">
          <caption className="visually-hidden">{t("adm.dispositions.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("adm.dispositions.code")}</th>
              <th scope="col">{t("adm.dispositions.label")}</th>
              <th scope="col">{t("adm.dispositions.counts")}</th>
              <th scope="col">{t("adm.dispositions.requires")}</th>
              <th scope="col">{t("adm.users.state")}</th>
              <th scope="col">{t("adm.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.code}>
                <td>
                  <code>{d.code}</code>
                  {!d.builtIn && <Badge tone="muted">{t("adm.dispositions.own")}</Badge>}
                </td>
                <td>{code("disposition", d.code) === d.code ? d.label : code("disposition", d.code)}</td>
                <td>
                  {d.rightPartyContact ? (
                    <Badge tone="ok">{t("adm.dispositions.rpc")}</Badge>
                  ) : d.contacted ? (
                    <Badge tone="warn">{t("adm.dispositions.contact")}</Badge>
                  ) : (
                    <Badge tone="muted">{t("adm.dispositions.noContact")}</Badge>
                  )}
                </td>
                <td>{d.requires.length ? d.requires.join(", ") : "—"}</td>
                <td>
                  {d.isActive ? (
                    <Badge tone="ok">{t("adm.state.active")}</Badge>
                  ) : (
                    <Badge tone="muted">{t("adm.dispositions.retired")}</Badge>
                  )}
                </td>
                <td>
                  <button type="button" onClick={() => toggle(d)}>
                    {t(d.isActive ? "adm.dispositions.retire" : "adm.dispositions.restore")}
                    <span className="visually-hidden"> {d.code}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="row" onSubmit={add} aria-label={t("adm.dispositions.add")}>
        <Field label={t("adm.dispositions.code")} hint={t("adm.dispositions.codeHint")} error={fieldErrors.code}>
          <input
            required
            value={draft.code}
            pattern="[a-z][a-z0-9_]{1,39}"
            onChange={(e) => setDraft({ ...draft, code: e.target.value })}
          />
        </Field>
        <Field label={t("adm.dispositions.label")} error={fieldErrors.label}>
          <input
            required
            maxLength={80}
            value={draft.label}
            onChange={(e) => setDraft({ ...draft, label: e.target.value })}
          />
        </Field>
        <Field label={t("adm.dispositions.counts")}>
          <select
            value={draft.counts}
            onChange={(e) => setDraft({ ...draft, counts: e.target.value as typeof draft.counts })}
          >
            <option value="none">{t("adm.dispositions.noContact")}</option>
            <option value="contact">{t("adm.dispositions.contact")}</option>
            <option value="rpc">{t("adm.dispositions.rpc")}</option>
          </select>
        </Field>
        <div className="filter-submit">
          <button type="submit" className="primary">
            {t("adm.dispositions.add")}
          </button>
        </div>
      </form>
      {dialog}
    </section>
  );
}
