import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import { Alert, Badge, Field } from "../../lib/ui";
import { DateRangeFields, dayRange, HistoryTabs, StaffSelect, useStaff } from "./history-parts";
import { CsvExport, FilterForm, Pager, useCursorPages } from "./shared";

const EMPTY = { user: "", success: "" as "" | "true" | "false", ip: "", from: "", to: "" };
type Filter = typeof EMPTY;

/** Every sign-in attempt: who, from where, refused or not and why; filters, pages and CSV. */
export function SignInsPage() {
  const i18n = useI18n();
  const { t, dateTime, timezone } = i18n;
  const { staff, nameOf } = useStaff();
  // A refusal's reason in words; one the console does not know yet stays as the API wrote it.
  const reasonText = (reason: string) => {
    const key = `adm.signins.reason.${reason}` as MessageKey;
    return t(key) === key ? reason : t(key);
  };
  const [draft, setDraft] = useState<Filter>(EMPTY);
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const query = () => ({
    user: filter.user || undefined,
    success: filter.success ? filter.success === "true" : undefined,
    ip: filter.ip.trim() || undefined,
    ...dayRange(filter.from, filter.to, timezone),
  });
  const pages = useCursorPages(JSON.stringify(filter), (cursor) =>
    unwrap(
      api.GET("/api/admin/login-history", { params: { query: { ...query(), format: "json", limit: 50, cursor } } }),
    ),
  );

  return (
    <section aria-labelledby="signins-title">
      <HistoryTabs />
      <h1 id="signins-title">{t("adm.signins.title")}</h1>
      <FilterForm onApply={() => setFilter(draft)}>
        <StaffSelect
          label={t("adm.signins.user")}
          value={draft.user}
          onChange={(user) => setDraft({ ...draft, user })}
          staff={staff}
        />
        <Field label={t("adm.signins.outcome")}>
          <select
            value={draft.success}
            onChange={(e) => setDraft({ ...draft, success: e.target.value as Filter["success"] })}
          >
            <option value="">{t("adm.any")}</option>
            <option value="true">{t("adm.signins.succeeded")}</option>
            <option value="false">{t("adm.signins.failed")}</option>
          </select>
        </Field>
        <Field label={t("adm.ip")}>
          <input value={draft.ip} onChange={(e) => setDraft({ ...draft, ip: e.target.value })} />
        </Field>
        <DateRangeFields from={draft.from} to={draft.to} onChange={(r) => setDraft({ ...draft, ...r })} />
      </FilterForm>
      <CsvExport
        filename="login-history.csv"
        // (The generated types ask for a limit: the CSV export ignores it and streams every matching row.)
        load={() =>
          unwrap(
            api.GET("/api/admin/login-history", {
              params: { query: { ...query(), format: "csv", limit: 100 } },
              parseAs: "blob",
            }),
          )
        }
      />
      {pages.error && <Alert>{pages.error}</Alert>}
      {pages.rows && (
        <table data-testid="sign-ins">
          <caption>{t("adm.signins.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("adm.history.when")}</th>
              <th scope="col">{t("adm.signins.identifier")}</th>
              <th scope="col">{t("adm.signins.user")}</th>
              <th scope="col">{t("adm.signins.outcome")}</th>
              <th scope="col">{t("adm.ip")}</th>
              <th scope="col">{t("adm.sessions.browser")}</th>
            </tr>
          </thead>
          <tbody>
            {pages.rows.length === 0 && (
              <tr>
                <td colSpan={6}>{t("adm.none")}</td>
              </tr>
            )}
            {pages.rows.map((r) => (
              <tr key={r.id}>
                <td>{dateTime(r.createdAt)}</td>
                <td>{r.identifier}</td>
                <td>{nameOf(r.userId) ?? "—"}</td>
                <td>
                  {r.success ? (
                    <Badge tone="ok">{t("adm.signins.succeeded")}</Badge>
                  ) : (
                    <Badge tone="bad">
                      {t("adm.signins.failed")}
                      {r.reason ? `: ${reasonText(r.reason)}` : ""}
                    </Badge>
                  )}
                </td>
                <td>{r.ip ?? "—"}</td>
                <td className="ua">{r.userAgent ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pages={pages} />
    </section>
  );
}
