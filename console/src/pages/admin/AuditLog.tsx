import { Fragment, useState } from "react";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { Link } from "../../lib/router";
import { Alert, Badge, Field } from "../../lib/ui";
import { DateRangeFields, dayRange, HistoryTabs, StaffSelect, useStaff } from "./history-parts";
import { CsvExport, FilterForm, Pager, useCursorPages } from "./shared";

const EMPTY = {
  actor: "",
  action: "",
  success: "" as "" | "true" | "false",
  entityType: "",
  entityId: "",
  from: "",
  to: "",
};
type Filter = typeof EMPTY;

/** The record an entry is about; an account links to its page. */
function EntityRef({ type, id }: { type: string | null; id: string | null }) {
  if (!type) return <>—</>;
  if (type === "user" && id) return <Link href={`/admin/users/${id}`}>{`user ${id}`}</Link>;
  return <>{`${type} ${id ?? ""}`}</>;
}

/** The audit log: filters, keyset pages, each entry's details as JSON, and the filtered set as CSV. */
export function AuditLogPage() {
  const i18n = useI18n();
  const { t, dateTime, timezone } = i18n;
  const { staff, nameOf } = useStaff();
  const [draft, setDraft] = useState<Filter>(EMPTY);
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [open, setOpen] = useState<number | null>(null);
  const query = () => ({
    actor: filter.actor || undefined,
    action: filter.action.trim() || undefined,
    success: filter.success ? filter.success === "true" : undefined,
    entityType: filter.entityType.trim() || undefined,
    entityId: filter.entityId.trim() || undefined,
    ...dayRange(filter.from, filter.to, timezone),
  });
  const pages = useCursorPages(JSON.stringify(filter), (cursor) =>
    unwrap(api.GET("/api/admin/audit-logs", { params: { query: { ...query(), format: "json", limit: 50, cursor } } })),
  );
  const set = (k: keyof Filter) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });

  return (
    <section aria-labelledby="audit-title">
      <HistoryTabs />
      <h1 id="audit-title">{t("adm.audit.title")}</h1>
      <FilterForm onApply={() => setFilter(draft)}>
        <StaffSelect
          label={t("adm.audit.actor")}
          value={draft.actor}
          onChange={(actor) => setDraft({ ...draft, actor })}
          staff={staff}
        />
        <Field label={t("adm.audit.action")} hint={t("adm.audit.actionHint")}>
          <input value={draft.action} onChange={set("action")} />
        </Field>
        <Field label={t("adm.audit.outcome")} hint={t("adm.audit.outcomeHint")}>
          <select value={draft.success} onChange={set("success")}>
            <option value="">{t("adm.any")}</option>
            <option value="true">{t("adm.audit.succeeded")}</option>
            <option value="false">{t("adm.audit.failed")}</option>
          </select>
        </Field>
        <Field label={t("adm.audit.entityType")}>
          <input value={draft.entityType} onChange={set("entityType")} />
        </Field>
        <Field label={t("adm.audit.entityId")}>
          <input value={draft.entityId} onChange={set("entityId")} />
        </Field>
        <DateRangeFields from={draft.from} to={draft.to} onChange={(r) => setDraft({ ...draft, ...r })} />
      </FilterForm>
      <CsvExport
        filename="audit-logs.csv"
        // (The generated types ask for a limit: the CSV export ignores it and streams every matching row.)
        load={() =>
          unwrap(
            api.GET("/api/admin/audit-logs", {
              params: { query: { ...query(), format: "csv", limit: 100 } },
              parseAs: "blob",
            }),
          )
        }
      />
      {pages.error && <Alert>{pages.error}</Alert>}
      {pages.rows && (
        <table data-testid="audit">
          <caption>{t("adm.audit.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("adm.history.when")}</th>
              <th scope="col">{t("adm.audit.actor")}</th>
              <th scope="col">{t("adm.audit.action")}</th>
              <th scope="col">{t("adm.audit.entity")}</th>
              <th scope="col">{t("adm.ip")}</th>
              <th scope="col">{t("adm.audit.details")}</th>
            </tr>
          </thead>
          <tbody>
            {pages.rows.length === 0 && (
              <tr>
                <td colSpan={6}>{t("adm.none")}</td>
              </tr>
            )}
            {pages.rows.map((r) => (
              <Fragment key={r.id}>
                <tr>
                  <td>{dateTime(r.createdAt)}</td>
                  <td>{nameOf(r.actorId) ?? (r.actorType === "system" ? t("adm.actorType.system") : r.actorType)}</td>
                  <td>
                    <code>{r.action}</code>
                    {!r.success && (
                      <>
                        {" "}
                        <Badge tone="bad">{t("adm.audit.failed")}</Badge>
                      </>
                    )}
                  </td>
                  <td>
                    <EntityRef type={r.entityType} id={r.entityId} />
                  </td>
                  <td>{r.ip ?? "—"}</td>
                  <td>
                    <button
                      type="button"
                      aria-expanded={open === r.id}
                      aria-controls={open === r.id ? `audit-${r.id}` : undefined}
                      onClick={() => setOpen(open === r.id ? null : r.id)}
                    >
                      {t("adm.audit.show")}
                      <span className="visually-hidden"> {r.id}</span>
                    </button>
                  </td>
                </tr>
                {open === r.id && (
                  <tr id={`audit-${r.id}`}>
                    <td colSpan={6}>
                      <pre className="json" data-testid="audit-json">
                        {JSON.stringify(r, null, 2)}
                      </pre>
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      <Pager pages={pages} />
    </section>
  );
}
