import { useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { centreTimeToIso, centreToday } from "../../lib/zoned";
import { Alert, Field } from "../../lib/ui";
import { BarChart } from "./Chart";
import { bucketLabel, daysBefore, usePolled } from "./common";

/** The longest period one request covers (the API's cap). */
export const MAX_DAYS = 366;

/** One request for the period: totals, per agent and per day (the centre's calendar); one for arrears. */
async function loadDashboard(from: string, to: string, tz: string) {
  const start = (d: string) => centreTimeToIso(`${d}T00:00`, tz);
  const [period, arrears] = await Promise.all([
    unwrap(
      api.GET("/api/admin/stats/collections", {
        params: { query: { from: start(from), to: start(daysBefore(to, -1)) } },
      }),
    ),
    unwrap(api.GET("/api/admin/stats/arrears")),
  ]);
  return { period, buckets: arrears.buckets };
}

const dayCount = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;

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
    if (dayCount(form.from, form.to) > MAX_DAYS) return setFormError(t("sup.dash.tooLong", { n: MAX_DAYS }));
    setFormError(null);
    setPeriod(form);
  };

  const fmtMoney = (n: number) => money(n);
  const daily = data?.period.byDay ?? [];
  const days = daily.map((d) => date(d.day));
  const agents = data?.period.byAgent ?? [];
  const agentLabels = agents.map((a) => a.agentName ?? t("sup.dash.integration"));
  // Days and agents carry the same figures: one series builder each for both charts.
  type Figures = Omit<(typeof daily)[number], "day">;
  const contactSeries = (rows: Figures[]) => [
    { label: t("sup.calls"), values: rows.map((r) => r.calls) },
    { label: t("sup.contacts"), values: rows.map((r) => r.contacts) },
    { label: t("sup.rpc"), values: rows.map((r) => r.rightPartyContacts) },
  ];
  const promiseSeries = (rows: Figures[]) => [
    { label: t("sup.dash.made"), values: rows.map((r) => Number(r.promisesMadeAmount)) },
    { label: t("sup.dash.kept"), values: rows.map((r) => Number(r.promisesKeptAmount)) },
    { label: t("sup.dash.broken"), values: rows.map((r) => Number(r.promisesBrokenAmount)) },
  ];

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
              series={contactSeries(daily)}
            />
            <BarChart
              id="daily-collected"
              title={t("sup.dash.dailyCollected")}
              labels={days}
              format={fmtMoney}
              series={[{ label: t("sup.dash.collected"), values: daily.map((d) => Number(d.amountCollected)) }]}
            />
            <BarChart
              id="daily-promises"
              title={t("sup.dash.dailyPromises")}
              labels={days}
              format={fmtMoney}
              series={promiseSeries(daily)}
            />
            <BarChart
              id="agent-contacts"
              title={t("sup.dash.agentContacts")}
              labels={agentLabels}
              horizontal
              series={contactSeries(agents)}
            />
            <BarChart
              id="agent-promises"
              title={t("sup.dash.agentPromises")}
              labels={agentLabels}
              horizontal
              format={fmtMoney}
              series={promiseSeries(agents)}
            />
            <BarChart
              id="agent-collected"
              title={t("sup.dash.agentCollected")}
              labels={agentLabels}
              horizontal
              format={fmtMoney}
              series={[{ label: t("sup.dash.collected"), values: agents.map((a) => Number(a.amountCollected)) }]}
            />
            <BarChart
              id="arrears"
              title={t("sup.dash.arrears")}
              labels={data.buckets.map((b) => bucketLabel(i18n, b.bucket))}
              format={fmtMoney}
              series={[{ label: t("totalOverdue"), values: data.buckets.map((b) => Number(b.totalOverdue)) }]}
            />
          </div>
          <p className="hint">{t("sup.dash.attribution")}</p>
          <p className="hint" data-testid="arrears-counts">
            {t("sup.dash.arrearsCounts", {
              list: data.buckets
                .map(
                  (b) =>
                    `${bucketLabel(i18n, b.bucket)}: ${t("sup.dash.bucketCounts", { customers: b.customers, loans: b.loans })}`,
                )
                .join(" · "),
            })}
          </p>
        </>
      )}
    </section>
  );
}
