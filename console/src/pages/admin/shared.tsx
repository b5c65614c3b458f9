import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import { ApiError } from "../../api/client";
import { useI18n, type I18n } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import { describeError } from "../../lib/errors";
import { Alert, Field } from "../../lib/ui";

/**
 * An API refusal on an admin screen, in words: the codes an admin meets (the last-admin rule, a
 * conflict, a field error) get a sentence; the rest falls back to the console's general messages.
 */
export function adminError(err: unknown, i18n: I18n): string {
  const { t } = i18n;
  if (err instanceof ApiError) {
    if (err.code === "VALIDATION_ERROR" && err.body.details?.length)
      return t("adm.error.VALIDATION_ERROR", {
        details: err.body.details.map((d) => `${d.path.replace(/^\//, "") || "—"}: ${d.message}`).join("; "),
      });
    const key = `adm.error.${err.code}` as MessageKey;
    if (t(key) !== key) return t(key, { message: err.message });
  }
  return describeError(err, i18n);
}

export interface ConfirmRequest {
  title: string;
  body?: ReactNode;
  confirmLabel: string;
  /** Ask for a reason (lock, deactivate…): the API records it in the audit log. */
  reason?: boolean;
  run(reason: string): Promise<unknown>;
}

/**
 * A destructive action asks first, in a modal dialog; a refusal from the API stays in the dialog in
 * words, so the admin can read why (the last-admin rule…) and cancel.
 */
export function ConfirmDialog({ request, onDone }: { request: ConfirmRequest; onDone(ok: boolean): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await request.run(reason.trim());
      onDone(true);
    } catch (err) {
      setError(adminError(err, i18n));
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} aria-labelledby={titleId} className="confirm" onCancel={() => onDone(false)}>
      <form onSubmit={submit}>
        <h2 id={titleId}>{request.title}</h2>
        {request.body}
        {request.reason && (
          <Field label={t("adm.reason")} hint={t("adm.reasonHint")}>
            <textarea required maxLength={500} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
          </Field>
        )}
        {error && <Alert>{error}</Alert>}
        <div className="actions">
          <button type="submit" className="danger" disabled={busy || (request.reason && !reason.trim())}>
            {request.confirmLabel}
          </button>
          <button type="button" onClick={() => onDone(false)}>
            {t("adm.cancel")}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** The confirmation a screen is showing, if any: `ask` opens one, and `dialog` renders it. */
export function useConfirm(afterSuccess?: () => void) {
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  const dialog = request ? (
    <ConfirmDialog
      request={request}
      onDone={(ok) => {
        setRequest(null);
        if (ok) afterSuccess?.();
      }}
    />
  ) : null;
  return { ask: setRequest, dialog };
}

interface Paged<T> {
  data: T[];
  page: { nextCursor: string | null };
}

/**
 * Keyset paging: the API gives the next cursor only, so the cursors of the pages seen are kept to go
 * back. A new filter (another `filterKey`) starts again at the first page.
 */
export function useCursorPages<T>(filterKey: string, load: (cursor?: string) => Promise<Paged<T>>) {
  const i18n = useI18n();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [result, setResult] = useState<Paged<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => setCursors([undefined]), [filterKey]);
  const cursor = cursors.at(-1);
  useEffect(() => {
    let cancelled = false;
    setError(null);
    loadRef
      .current(cursor)
      .then((r) => !cancelled && setResult(r))
      .catch((err) => !cancelled && setError(adminError(err, i18n)));
    return () => {
      cancelled = true;
    };
    // i18n changes only the words of an error, not what is listed: not a reason to load again.
  }, [filterKey, cursor, reloads]);
  return {
    rows: result?.data ?? null,
    error,
    pageNumber: cursors.length,
    hasNext: !!result?.page.nextCursor,
    hasPrev: cursors.length > 1,
    next: () => result?.page.nextCursor && setCursors((c) => [...c, result.page.nextCursor!]),
    prev: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    reload: useCallback(() => setReloads((n) => n + 1), []),
  };
}

export function Pager({ pages }: { pages: ReturnType<typeof useCursorPages<unknown>> }) {
  const { t } = useI18n();
  return (
    <nav className="pager actions" aria-label={t("adm.pages")}>
      <button type="button" onClick={pages.prev} disabled={!pages.hasPrev}>
        {t("adm.prevPage")}
      </button>
      <span>{t("adm.pageN", { n: pages.pageNumber })}</span>
      <button type="button" onClick={pages.next} disabled={!pages.hasNext}>
        {t("adm.nextPage")}
      </button>
    </nav>
  );
}

/** A file the API streams (CSV), saved through a download link: the request carries the access token. */
export function download(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A filter bar: its fields, applied together by one button (a request per keystroke is not worth it). */
export function FilterForm({ onApply, children }: { onApply(): void; children: ReactNode }) {
  const { t } = useI18n();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply();
  };
  return (
    <form className="card filters row" onSubmit={submit} aria-label={t("adm.filters")}>
      {children}
      <div className="filter-submit">
        <button type="submit" className="primary">
          {t("adm.applyFilters")}
        </button>
      </div>
    </form>
  );
}

/** The filtered set as a CSV file: the API streams every matching row, not only the page shown. */
export function CsvExport({ load, filename }: { load(): Promise<unknown>; filename: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setError(null);
    setBusy(true);
    try {
      download((await load()) as Blob, filename);
    } catch (err) {
      setError(adminError(err, i18n));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <p className="actions">
        <button type="button" onClick={() => void run()} disabled={busy}>
          {t("adm.downloadCsv")}
        </button>
        <span className="hint">{t("adm.downloadCsvHint")}</span>
      </p>
      {error && <Alert>{error}</Alert>}
    </>
  );
}
