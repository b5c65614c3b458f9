import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { Alert, Badge, Field } from "../../lib/ui";
import { Pager, useCursorPages } from "./shared";
import type { OutboxMessage } from "./types";

type Status = OutboxMessage["status"];
const TONE: Record<Status, "ok" | "warn" | "bad" | "muted"> = {
  sent: "ok",
  pending: "warn",
  sending: "muted",
  failed: "bad",
};

/** The mail outbox: what was sent, what waits for a retry, what failed and what to fix for it. */
export function OutboxPage() {
  const { t, dateTime } = useI18n();
  const [status, setStatus] = useState<"" | Status>("");
  const pages = useCursorPages(status, (cursor) =>
    unwrap(
      api.GET("/api/admin/email-outbox", { params: { query: { limit: 50, cursor, status: status || undefined } } }),
    ),
  );
  const failing = pages.rows?.filter((m) => m.fix) ?? [];
  const fixes = [...new Map(failing.map((m) => [m.category, m.fix!])).entries()];

  return (
    <section aria-labelledby="outbox-title">
      <h1 id="outbox-title">{t("adm.outbox.title")}</h1>
      <p>{t("adm.outbox.intro")}</p>
      <div className="row filters">
        <Field label={t("adm.outbox.status")}>
          <select value={status} onChange={(e) => setStatus(e.target.value as "" | Status)}>
            <option value="">{t("adm.any")}</option>
            {(["pending", "sending", "sent", "failed"] as const).map((s) => (
              <option key={s} value={s}>
                {t(`adm.outbox.status.${s}`)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {fixes.length > 0 && (
        <div className="card" data-testid="outbox-fixes">
          <h2>{t("adm.outbox.fixes")}</h2>
          <ul>
            {fixes.map(([category, fix]) => (
              <li key={category ?? ""}>
                <strong>{category}</strong>: {fix}
              </li>
            ))}
          </ul>
        </div>
      )}
      {pages.error && <Alert>{pages.error}</Alert>}
      {pages.rows && (
        <table data-testid="outbox">
          <caption>{t("adm.outbox.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("adm.created")}</th>
              <th scope="col">{t("adm.outbox.to")}</th>
              <th scope="col">{t("adm.outbox.subject")}</th>
              <th scope="col">{t("adm.outbox.status")}</th>
              <th scope="col">{t("adm.outbox.attempts")}</th>
              <th scope="col">{t("adm.outbox.problem")}</th>
            </tr>
          </thead>
          <tbody>
            {pages.rows.length === 0 && (
              <tr>
                <td colSpan={6}>{t("adm.none")}</td>
              </tr>
            )}
            {pages.rows.map((m) => (
              <tr key={m.id}>
                <td>{dateTime(m.createdAt)}</td>
                <td>{m.to}</td>
                <td>
                  {m.subject} <span className="hint">({m.kind})</span>
                </td>
                <td>
                  <Badge tone={TONE[m.status]}>{t(`adm.outbox.status.${m.status}`)}</Badge>
                  {m.sentAt && <div className="hint">{dateTime(m.sentAt)}</div>}
                  {m.nextAttemptAt && (
                    <div className="hint">{t("adm.outbox.nextAttempt", { time: dateTime(m.nextAttemptAt) })}</div>
                  )}
                </td>
                <td className="num">
                  {m.attempts} / {m.maxAttempts}
                </td>
                <td>
                  {m.category ? (
                    <>
                      <strong>{m.category}</strong>
                      {m.error && <div className="hint">{m.error}</div>}
                      {m.fix && <div>{t("adm.outbox.fix", { fix: m.fix })}</div>}
                    </>
                  ) : (
                    "—"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pages={pages} />
    </section>
  );
}
