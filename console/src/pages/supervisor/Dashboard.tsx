import { useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { centreTimeToIso, centreToday } from "../../lib/zoned";
import { Alert, Field } from "../../lib/ui";
import { BUCKETS } from "./Assign";
import { BarChart } from "./Chart";
import { bucketLabel, daysBefore, usePolled } from "./common";

/** The longest period shown day by day (one request per day). */
export const MAX_DAYS = 31;

const stats = (from: string, to: string) =>
  unwrap(api.GET("/api/admin/stats/collections", { params: { query: { from, to } } }));

/** Customers and total overdue in a bucket: a dry run of the assignment counts them without changing any. */
const arrears = (bucket: (typeof BUCKETS)[number]) =>
  unwrap(
    api.POST("/api/admin/assignments", {
      params: { query: { dryRun: true } },
      body: { filter: { bucket }, unassign: true },
    }),
  ).then((r) => ({
    bucket,
    customers: r.matched,
    overdue: r.owners.reduce((s, o) => s + Number(o.totalOverdue), 0),
  }));

function dayList(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to && days.length < MAX_DAYS; d = daysBefore(d, -1)) days.push(d);
  return days;
}

async function loadDashboard(from: string, to: string, tz: string) {
  const days = dayList(from, to);
  const start = (d: string) => centreTimeToIso(`${d}T00:00`, tz);
  const [period, daily, buckets] = await Promise.all([
    stats(start(days[0]!), start(daysBefore(days.at(-1)!, -1))),
    Promise.all(days.map((d) => stats(start(d), start(daysBefore(d, -1))))),
    Promise.all(BUCKETS.map(arrears)),
  ]);
  return { days, period, daily, buckets };
}

/** Calls, contacts, promises and money collected per day and per agent over a period; arrears by bucket. */
export default function Dashboard() {
  const i18n = useI18n();
  const { t, money, date, timezone } = i18n;
  const today = centreToday(timezone);
  const [form, setForm] = useState({ from: daysBefore(today, 6), to: today });
  const [period, setPeriod] = useState(form);
  const [formError, setFormError] = useState<string | null>(null);
  const { data, error } = usePolled(
    () => loadDashboard(period.from, period.to, timezone),
    0,
    `${period.from}/${period.to}`,
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!form.from || !form.to || form.from > form.to) return setFormError(t("sup.dash.badRange"));
    if (dayList(form.from, form.to).at(-1) !== form.to) return setFormError(t("sup.dash.tooLong", { n: MAX_DAYS }));
    setFormError(null);
    setPeriod(form);
  };

  const fmtMoney = (n: number) => money(n);
  const days = data?.days.map((d) => date(d)) ?? [];
  const agents = data?.period.byAgent ?? [];
  const agentLabels = agents.map((a) => a.agentName ?? t("sup.dash.integration"));

  return (
    <section aria-labelledby="dash-title">
      <h1 id="dash-title">{t("sup.dash.title")}</h1>
      <form className="card row" onSubmit={submit} aria-label={t("sup.dash.period")}>
        <Field label={t("sup.dash.from")} error={formError ?? undefined}>
          <input
            type="date"
            value={form.from}
            max={today}
            onChange={(e) => setForm({ ...form, from: e.target.value })}
          />
        </Field>
        <Field label={t("sup.dash.to")}>
          <input type="date" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </Field>
        <div className="actions">
          <button type="submit">{t("sup.dash.show")}</button>
        </div>
      </form>
      {error && <Alert>{error}</Alert>}
      {!data && !error && <p>{t("loading")}</p>}
      {data && (
        <>
          <dl className="figures" data-testid="dash-totals">
            <dt>{t("sup.calls")}</dt>
            <dd data-total="calls">{data.period.totals.calls}</dd>
            <dt>{t("sup.contacts")}</dt>
            <dd data-total="contacts">{data.period.totals.contacts}</dd>
            <dt>{t("sup.rpc")}</dt>
            <dd data-total="rpc">{data.period.totals.rightPartyContacts}</dd>
            <dt>{t("sup.dash.promisesMade")}</dt>
            <dd>
              {data.period.totals.promisesMade} · {money(data.period.totals.promisesMadeAmount)}
            </dd>
            <dt>{t("sup.dash.promisesKept")}</dt>
            <dd>
              {data.period.totals.promisesKept} · {money(data.period.totals.promisesKeptAmount)}
            </dd>
            <dt>{t("sup.dash.promisesBroken")}</dt>
            <dd>
              {data.period.totals.promisesBroken} · {money(data.period.totals.promisesBrokenAmount)}
            </dd>
            <dt>{t("sup.dash.collected")}</dt>
            <dd data-total="collected">
              {money(data.period.totals.amountCollected)} ({t("sup.dash.payments", { n: data.period.totals.payments })})
            </dd>
          </dl>
          <div className="charts">
            <BarChart
              id="daily-contacts"
              title={t("sup.dash.dailyContacts")}
              labels={days}
              series={[
                { label: t("sup.calls"), values: data.daily.map((d) => d.totals.calls) },
                { label: t("sup.contacts"), values: data.daily.map((d) => d.totals.contacts) },
                { label: t("sup.rpc"), values: data.daily.map((d) => d.totals.rightPartyContacts) },
              ]}
            />
            <BarChart
              id="daily-collected"
              title={t("sup.dash.dailyCollected")}
              labels={days}
              format={fmtMoney}
              series={[
                { label: t("sup.dash.collected"), values: data.daily.map((d) => Number(d.totals.amountCollected)) },
              ]}
            />
            <BarChart
              id="daily-promises"
              title={t("sup.dash.dailyPromises")}
              labels={days}
              format={fmtMoney}
              series={[
                { label: t("sup.dash.made"), values: data.daily.map((d) => Number(d.totals.promisesMadeAmount)) },
                { label: t("sup.dash.kept"), values: data.daily.map((d) => Number(d.totals.promisesKeptAmount)) },
                { label: t("sup.dash.broken"), values: data.daily.map((d) => Number(d.totals.promisesBrokenAmount)) },
              ]}
            />
            <BarChart
              id="agent-contacts"
              title={t("sup.dash.agentContacts")}
              labels={agentLabels}
              horizontal
              series={[
                { label: t("sup.calls"), values: agents.map((a) => a.calls) },
                { label: t("sup.contacts"), values: agents.map((a) => a.contacts) },
                { label: t("sup.rpc"), values: agents.map((a) => a.rightPartyContacts) },
              ]}
            />
            <BarChart
              id="agent-promises"
              title={t("sup.dash.agentPromises")}
              labels={agentLabels}
              horizontal
              format={fmtMoney}
              series={[
                { label: t("sup.dash.made"), values: agents.map((a) => Number(a.promisesMadeAmount)) },
                { label: t("sup.dash.kept"), values: agents.map((a) => Number(a.promisesKeptAmount)) },
                { label: t("sup.dash.broken"), values: agents.map((a) => Number(a.promisesBrokenAmount)) },
              ]}
            />
            <BarChart
              id="arrears"
              title={t("sup.dash.arrears")}
              labels={data.buckets.map((b) => bucketLabel(i18n, b.bucket))}
              format={fmtMoney}
              series={[{ label: t("totalOverdue"), values: data.buckets.map((b) => b.overdue) }]}
            />
          </div>
          <p className="hint">
            {t("sup.dash.arrearsCounts", {
              list: data.buckets.map((b) => `${bucketLabel(i18n, b.bucket)}: ${b.customers}`).join(" · "),
            })}
          </p>
        </>
      )}
    </section>
  );
}
