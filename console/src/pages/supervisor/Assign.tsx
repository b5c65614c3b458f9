import { useState, type FormEvent } from "react";
import { api, ApiError, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { useI18n } from "../../i18n";
import { describeError } from "../../lib/errors";
import { Alert, Field } from "../../lib/ui";
import { OwnersTable, SummaryTable } from "./AssignTables";
import { bucketLabel, usePolled } from "./common";

type Body = NonNullable<paths["/api/admin/assignments"]["post"]["requestBody"]>["content"]["application/json"];
type Filter = NonNullable<Body["filter"]>;
type Strategy = NonNullable<Body["strategy"]>;
export type Result = Awaited<ReturnType<typeof postAssignment>>;

export const BUCKETS = ["current", "1-30", "31-60", "61-90", "90+"] as const;
export const COLLECTION_STATUSES = [
  "none",
  "in_collection",
  "promise_to_pay",
  "payment_plan",
  "dispute",
  "legal",
  "settled",
  "closed",
] as const;

function postAssignment(body: Body, dryRun: boolean) {
  return unwrap(api.POST("/api/admin/assignments", { params: { query: { dryRun } }, body }));
}

function loadTargets() {
  return Promise.all([unwrap(api.GET("/api/admin/teams")), unwrap(api.GET("/api/admin/assignments/summary"))]).then(
    ([teams, summary]) => ({ teams: teams.data, summary }),
  );
}

/** Filter customers, preview how many and how much (a dry run), then assign them with a strategy. */
export default function Assign() {
  const i18n = useI18n();
  const { t, money, code } = i18n;
  const targets = usePolled(loadTargets);
  const [filter, setFilter] = useState<{ bucket: string; city: string; minDays: string; status: string }>({
    bucket: "",
    city: "",
    minDays: "",
    status: "",
  });
  const [kind, setKind] = useState<"team" | "agent">("team");
  const [targetId, setTargetId] = useState("");
  const [strategy, setStrategy] = useState<Strategy>("round_robin");
  const [preview, setPreview] = useState<Result | null>(null);
  const [done, setDone] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const teams = targets.data?.teams ?? [];
  const agents = targets.data?.summary.agents ?? [];
  const chosen = targetId || (kind === "team" ? teams[0]?.id : agents[0]?.agentId) || "";

  const body = (): Body => {
    const f: Filter = {};
    if (filter.bucket) f.bucket = filter.bucket as Filter["bucket"];
    if (filter.city.trim()) f.city = filter.city.trim();
    if (filter.minDays) f.minDaysPastDue = Number(filter.minDays);
    if (filter.status) f.collectionStatus = filter.status as Filter["collectionStatus"];
    return {
      filter: f,
      to: kind === "team" ? { teamId: chosen } : { agentId: chosen },
      strategy: kind === "team" ? strategy : "to_one",
    };
  };

  const run = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const result = await postAssignment(body(), dryRun);
      if (dryRun) {
        setPreview(result);
        setDone(null);
      } else {
        setDone(result);
        setPreview(null);
        await targets.reload();
      }
    } catch (err) {
      if (err instanceof ApiError) setFieldErrors(err.fieldErrors());
      setError(describeError(err, i18n));
    } finally {
      setBusy(false);
    }
  };
  const onPreview = (e: FormEvent) => {
    e.preventDefault();
    void run(true);
  };
  const change = (key: keyof typeof filter) => (e: { target: { value: string } }) => {
    setFilter((f) => ({ ...f, [key]: e.target.value }));
    setPreview(null);
  };
  const names = {
    agent: (id: string | null) => agents.find((a) => a.agentId === id)?.name ?? "—",
    team: (id: string | null) => teams.find((x) => x.id === id)?.name ?? "—",
  };
  const total = (r: Result) => r.owners.reduce((s, o) => s + Number(o.totalOverdue), 0);

  return (
    <section aria-labelledby="assign-title">
      <h1 id="assign-title">{t("sup.assign.title")}</h1>
      <form className="card" onSubmit={onPreview} aria-labelledby="assign-filter-title">
        <h2 id="assign-filter-title">{t("sup.assign.filter")}</h2>
        <div className="row">
          <Field label={t("bucket")} error={fieldErrors.filter}>
            <select value={filter.bucket} onChange={change("bucket")}>
              <option value="">{t("sup.any")}</option>
              {BUCKETS.map((b) => (
                <option key={b} value={b}>
                  {bucketLabel(i18n, b)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t("city")}>
            <input value={filter.city} onChange={change("city")} maxLength={100} />
          </Field>
          <Field label={t("sup.minDaysPastDue")}>
            <input type="number" min={0} value={filter.minDays} onChange={change("minDays")} />
          </Field>
          <Field label={t("status")}>
            <select value={filter.status} onChange={change("status")}>
              <option value="">{t("sup.any")}</option>
              {COLLECTION_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {code("collection", s)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <h2>{t("sup.assign.to")}</h2>
        <div className="row">
          <Field label={t("sup.assign.targetKind")}>
            <select
              value={kind}
              onChange={(e) => {
                setKind(e.target.value as "team" | "agent");
                setTargetId("");
                setPreview(null);
              }}
            >
              <option value="team">{t("sup.team")}</option>
              <option value="agent">{t("sup.agent")}</option>
            </select>
          </Field>
          <Field label={kind === "team" ? t("sup.team") : t("sup.agent")} error={fieldErrors.to}>
            <select
              value={chosen}
              onChange={(e) => {
                setTargetId(e.target.value);
                setPreview(null);
              }}
            >
              {kind === "team"
                ? teams.map((x) => (
                    <option key={x.id} value={x.id}>
                      {x.name}
                    </option>
                  ))
                : agents.map((a) => (
                    <option key={a.agentId} value={a.agentId}>
                      {a.name}
                    </option>
                  ))}
            </select>
          </Field>
          {kind === "team" && (
            <Field label={t("sup.assign.strategy")} error={fieldErrors.strategy}>
              <select
                value={strategy}
                onChange={(e) => {
                  setStrategy(e.target.value as Strategy);
                  setPreview(null);
                }}
              >
                <option value="to_one">{t("sup.strategy.to_one")}</option>
                <option value="round_robin">{t("sup.strategy.round_robin")}</option>
                <option value="balance_amount">{t("sup.strategy.balance_amount")}</option>
              </select>
            </Field>
          )}
        </div>
        <div className="actions">
          <button type="submit" disabled={busy || !chosen}>
            {t("sup.assign.preview")}
          </button>
          {preview && preview.matched > 0 && (
            <button type="button" className="primary" disabled={busy} onClick={() => void run(false)}>
              {t("sup.assign.confirm", { n: preview.matched })}
            </button>
          )}
        </div>
      </form>
      {error && <Alert>{error}</Alert>}
      {preview && (
        <div className="card" data-testid="assign-preview">
          <p className="summary-words">
            {t("sup.assign.previewWords", {
              n: preview.matched,
              amount: money(total(preview)),
              changed: preview.changed,
            })}
          </p>
          <OwnersTable result={preview} names={names} caption={t("sup.assign.previewSplit")} />
        </div>
      )}
      {done && (
        <Alert kind="success">
          {t("sup.assign.done", { n: done.changed, matched: done.matched, amount: money(total(done)) })}
        </Alert>
      )}
      {targets.data && <SummaryTable summary={targets.data.summary} teamId={kind === "team" ? chosen : undefined} />}
    </section>
  );
}
