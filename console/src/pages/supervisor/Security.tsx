import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import { Alert, Badge, Field } from "../../lib/ui";
import { usePolled } from "./common";

const PERIODS = [24, 72, 168, 720];

/** Suspicious sign-in and OTP activity, as the API detects it, in words. */
export default function Security() {
  const { t, dateTime } = useI18n();
  const [hours, setHours] = useState(24);
  const { data, error } = usePolled(
    () => unwrap(api.GET("/api/admin/security/suspicious", { params: { query: { hours } } })),
    60_000,
    String(hours),
  );
  const tone = { low: "muted", medium: "warn", high: "bad" } as const;
  return (
    <section aria-labelledby="security-title">
      <h1 id="security-title">{t("sup.sec.title")}</h1>
      <p>{t("sup.sec.intro")}</p>
      <div className="row">
        <Field label={t("sup.sec.period")}>
          <select value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {PERIODS.map((h) => (
              <option key={h} value={h}>
                {t("sup.sec.lastHours", { n: h })}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {error && <Alert>{error}</Alert>}
      {!data && !error && <p>{t("loading")}</p>}
      {data && (
        <table data-testid="findings">
          <caption>{t("sup.sec.caption", { n: data.findings.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("sup.sec.severity")}</th>
              <th scope="col">{t("sup.sec.finding")}</th>
              <th scope="col">{t("sup.sec.subject")}</th>
              <th scope="col">{t("sup.sec.evidence")}</th>
              <th scope="col">{t("sup.sec.seen")}</th>
            </tr>
          </thead>
          <tbody>
            {data.findings.length === 0 && (
              <tr>
                <td colSpan={5}>{t("sup.sec.none")}</td>
              </tr>
            )}
            {data.findings.map((f) => (
              <tr key={f.key}>
                <td>
                  <Badge tone={tone[f.severity]}>{t(`sup.sev.${f.severity}` as MessageKey)}</Badge>
                </td>
                <td>{t(`sup.finding.${f.type}` as MessageKey)}</td>
                <td>{[f.subject.email, f.subject.identifier, f.subject.ip].filter(Boolean).join(" · ") || "—"}</td>
                <td>
                  {Object.entries(f.evidence)
                    .map(([k, v]) => `${k}: ${v}`)
                    .join(", ")}
                </td>
                <td>
                  {dateTime(f.firstSeenAt)} – {dateTime(f.lastSeenAt)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
