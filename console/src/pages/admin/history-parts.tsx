import { useEffect, useState } from "react";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { Link, useLocation } from "../../lib/router";
import { centreTimeToIso } from "../../lib/zoned";
import { Field } from "../../lib/ui";

/** The day after a calendar date, YYYY-MM-DD (the end of a range is exclusive). */
function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** A range of calendar days in the centre's timezone as the API's from (inclusive) and to (exclusive) instants. */
export function dayRange(from: string, to: string, tz: string): { from?: string; to?: string } {
  return {
    from: from ? centreTimeToIso(`${from}T00:00`, tz) : undefined,
    to: to ? centreTimeToIso(`${nextDay(to)}T00:00`, tz) : undefined,
  };
}

export function DateRangeFields({
  from,
  to,
  onChange,
}: {
  from: string;
  to: string;
  onChange(range: { from: string; to: string }): void;
}) {
  const { t } = useI18n();
  return (
    <>
      <Field label={t("adm.history.from")}>
        <input type="date" value={from} onChange={(e) => onChange({ from: e.target.value, to })} />
      </Field>
      <Field label={t("adm.history.to")}>
        <input type="date" value={to} onChange={(e) => onChange({ from, to: e.target.value })} />
      </Field>
    </>
  );
}

/** Staff names for the actor pickers and to show who acted (the first 100 accounts, by the list's order). */
export function useStaff() {
  const [staff, setStaff] = useState<{ id: string; name: string; email: string }[]>([]);
  useEffect(() => {
    unwrap(api.GET("/api/admin/users", { params: { query: { limit: 100 } } }))
      .then((r) => setStaff(r.data))
      .catch(() => setStaff([]));
  }, []);
  const names = new Map(staff.map((s) => [s.id, s.name]));
  return { staff, nameOf: (id: string | null) => (id ? (names.get(id) ?? id.slice(0, 8)) : null) };
}

export function StaffSelect({
  label,
  value,
  onChange,
  staff,
}: {
  label: string;
  value: string;
  onChange(id: string): void;
  staff: { id: string; name: string; email: string }[];
}) {
  const { t } = useI18n();
  return (
    <Field label={label}>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t("adm.any")}</option>
        {staff.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name} ({s.email})
          </option>
        ))}
      </select>
    </Field>
  );
}

export function HistoryTabs() {
  const { t } = useI18n();
  const { path } = useLocation();
  const tab = (href: string, label: string) => (
    <Link href={href} aria-current={path === href ? "page" : undefined}>
      {label}
    </Link>
  );
  return (
    <nav className="tabs" aria-label={t("adm.history.tabs")}>
      {tab("/admin/audit", t("adm.audit.title"))}
      {tab("/admin/sign-ins", t("adm.signins.title"))}
    </nav>
  );
}
