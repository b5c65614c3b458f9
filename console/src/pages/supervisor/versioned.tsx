import { ApiError } from "../../api/client";
import { useI18n } from "../../i18n";

/** A 409 VERSION_CONFLICT: the record as it is now and who changed it (the API names them). */
export interface Conflict<T> {
  current: T;
  by: string | null;
}

export function conflictOf<T>(err: unknown): Conflict<T> | null {
  if (!(err instanceof ApiError) || err.code !== "VERSION_CONFLICT") return null;
  const by = err.body.changedBy as { name: string | null } | null | undefined;
  return { current: err.body.current as T, by: by?.name ?? null };
}

/** The fields of `draft` that differ from `base` (what the user changed), as a patch. */
export function changedFields<T extends Record<string, unknown>>(base: T, draft: Partial<T>): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(draft) as (keyof T)[])
    if (JSON.stringify(draft[key] ?? null) !== JSON.stringify(base[key] ?? null)) out[key] = draft[key];
  return out;
}

/**
 * "Changed by X at 10:42": the fields where their version and yours differ, and the two ways out
 * (take theirs, or write yours over it knowingly).
 */
export function ConflictBanner<T extends Record<string, unknown>>({
  conflict,
  mine,
  labels,
  onReload,
  onOverwrite,
}: {
  conflict: Conflict<T & { updatedAt: string }>;
  mine: Partial<T>;
  labels: Partial<Record<keyof T, string>>;
  onReload(): void;
  onOverwrite(): void;
}) {
  const { t, when } = useI18n();
  const differing = (Object.keys(mine) as (keyof T)[]).filter(
    (k) => JSON.stringify(mine[k] ?? null) !== JSON.stringify(conflict.current[k] ?? null),
  );
  const show = (v: unknown) => (v === null || v === undefined || v === "" ? "—" : String(v));
  return (
    <div className="alert alert-error conflict" role="alert" data-testid="version-conflict">
      <p>
        <strong>
          {t("sup.conflict.title", {
            name: conflict.by ?? t("sup.conflict.someone"),
            time: when(conflict.current.updatedAt),
          })}
        </strong>{" "}
        {t("sup.conflict.choose")}
      </p>
      {differing.length > 0 && (
        <table>
          <caption>{t("sup.conflict.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("sup.conflict.field")}</th>
              <th scope="col">{t("sup.conflict.theirs")}</th>
              <th scope="col">{t("sup.conflict.yours")}</th>
            </tr>
          </thead>
          <tbody>
            {differing.map((k) => (
              <tr key={String(k)}>
                <th scope="row">{labels[k] ?? String(k)}</th>
                <td>{show(conflict.current[k])}</td>
                <td>{show(mine[k])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="actions">
        <button type="button" onClick={onReload}>
          {t("sup.conflict.reload")}
        </button>
        <button type="button" className="primary" onClick={onOverwrite}>
          {t("sup.conflict.overwrite")}
        </button>
      </div>
    </div>
  );
}
