import { useEffect, useState } from "react";
import { api, type Disposition, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { Alert, Badge } from "../../lib/ui";
import { PrefixesSection } from "./Prefixes";
import { adminError } from "./shared";
import { TeamsSection } from "./Teams";

/** Reference data: phone prefixes, call outcomes, teams. */
export function ReferencePage() {
  const { t } = useI18n();
  return (
    <section aria-labelledby="reference-title">
      <h1 id="reference-title">{t("adm.reference.title")}</h1>
      <PrefixesSection />
      <DispositionsSection />
      <TeamsSection />
    </section>
  );
}

/**
 * The call outcomes agents pick from, in picker order. The API lists them; it has no route to add a
 * centre's own yet (a row in `dispositions`, by migration), so this section says so.
 */
function DispositionsSection() {
  const i18n = useI18n();
  const { t, code } = i18n;
  const [rows, setRows] = useState<Disposition[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    unwrap(api.GET("/api/crm/dispositions"))
      .then((r) => setRows(r.data))
      .catch((err) => setError(adminError(err, i18n)));
  }, []);
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
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.code}>
                <td>
                  <code>{d.code}</code>
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
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
