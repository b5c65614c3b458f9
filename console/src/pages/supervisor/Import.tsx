import { useState, type ChangeEvent } from "react";
import { api, ApiError, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { useI18n } from "../../i18n";
import { describeError } from "../../lib/errors";
import { Alert, Field } from "../../lib/ui";
import { type Parsed, parseImportFile } from "./importFile";

type Body = NonNullable<paths["/api/customers/import"]["post"]["requestBody"]>["content"]["application/json"];
interface RowError {
  row: number;
  field: string;
  message: string;
}

/** Import customers and loans from a CSV or JSON file: check first, every row's problems listed. */
export default function Import() {
  const i18n = useI18n();
  const { t } = i18n;
  const [file, setFile] = useState<{ name: string; parsed: Parsed } | null>(null);
  const [rowErrors, setRowErrors] = useState<RowError[]>([]);
  const [message, setMessage] = useState<{ kind: "error" | "success" | "info"; text: string } | null>(null);
  const [checked, setChecked] = useState(false);

  const choose = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    setRowErrors([]);
    setMessage(null);
    setChecked(false);
    if (!f) return setFile(null);
    try {
      setFile({ name: f.name, parsed: parseImportFile(f.name, await f.text()) });
    } catch {
      setFile(null);
      setMessage({ kind: "error", text: t("sup.imp.unreadable") });
    }
  };

  const send = async (dryRun: boolean) => {
    if (!file) return;
    setRowErrors([]);
    setMessage(null);
    try {
      const r = await unwrap(
        api.POST("/api/customers/import", { params: { query: { dryRun } }, body: file.parsed.body as Body }),
      );
      const counts = {
        created: r.customers.created,
        updated: r.customers.updated,
        loansCreated: r.loans.created,
        loansUpdated: r.loans.updated,
      };
      setMessage({ kind: dryRun ? "info" : "success", text: t(dryRun ? "sup.imp.checked" : "sup.imp.done", counts) });
      setChecked(dryRun);
    } catch (err) {
      setChecked(false);
      setMessage({ kind: "error", text: describeError(err, i18n) });
      if (err instanceof ApiError)
        setRowErrors(
          (err.body.details ?? []).map((d) => {
            const m = d.path.match(/^\/customers\/(\d+)(?:\/(.*))?$/);
            const index = m ? Number(m[1]) : -1;
            return {
              row: file.parsed.sourceOf[index] ?? 0,
              field: m?.[2]?.replace(/\//g, " › ") ?? d.path,
              message: d.message,
            };
          }),
        );
    }
  };

  return (
    <section aria-labelledby="import-title">
      <h1 id="import-title">{t("sup.imp.title")}</h1>
      <p>{t("sup.imp.intro")}</p>
      <div className="card">
        <Field label={t("sup.imp.file")} hint={t("sup.imp.hint")}>
          <input type="file" accept=".csv,.json,text/csv,application/json" onChange={(e) => void choose(e)} />
        </Field>
        {file && <p>{t("sup.imp.read", { name: file.name, n: file.parsed.body.customers.length })}</p>}
        <div className="actions">
          <button type="button" disabled={!file} onClick={() => void send(true)}>
            {t("sup.imp.check")}
          </button>
          <button type="button" className="primary" disabled={!file || !checked} onClick={() => void send(false)}>
            {t("sup.imp.import")}
          </button>
        </div>
      </div>
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      {rowErrors.length > 0 && (
        <table data-testid="import-errors" className="row-errors">
          <caption>{t("sup.imp.errors", { n: rowErrors.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{file && /\.json$/i.test(file.name) ? t("sup.imp.entry") : t("sup.imp.line")}</th>
              <th scope="col">{t("sup.conflict.field")}</th>
              <th scope="col">{t("sup.imp.problem")}</th>
            </tr>
          </thead>
          <tbody>
            {rowErrors.map((e, i) => (
              <tr key={i}>
                <td className="num">{e.row || "—"}</td>
                <td>{e.field}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
