import { useCallback, useEffect, useRef, useState } from "react";
import { api, unwrap } from "../api/client";
import { useI18n } from "../i18n";
import { describeError } from "../lib/errors";
import { navigate } from "../lib/router";
import { Alert } from "../lib/ui";
import { describeSummary } from "./CallSummary";
import { PostCallForm } from "./PostCallForm";
import { PreCallView } from "./PreCallView";

// (Typed by what the client returns: a `null` member is dropped from the answer type.)
const fetchNext = () => unwrap(api.POST("/api/crm/next-call"));
type NextCallAnswer = Awaited<ReturnType<typeof fetchNext>>;

export const NEXT_CALL_SHORTCUT = "Alt+N";

// The keyboard shortcut works from any screen: it asks the next-call screen for a customer, opening it first.
const wanted = new Set<() => void>();
let pendingRequest = false;
export function requestNextCall() {
  if (wanted.size > 0) for (const claim of wanted) claim();
  else {
    pendingRequest = true;
    navigate("/next-call");
  }
}

/** The claim's remaining time, counting down (never more than the lease, whatever the browser's clock says). */
function ClaimTimer({ claimedAt, expiresAt }: { claimedAt: string; expiresAt: string }) {
  const { t } = useI18n();
  const lease = Date.parse(expiresAt) - Date.parse(claimedAt);
  const remaining = () => Math.max(0, Math.min(lease, Date.parse(expiresAt) - Date.now()));
  const [left, setLeft] = useState(remaining);
  useEffect(() => {
    const timer = setInterval(() => setLeft(remaining()), 1000);
    return () => clearInterval(timer);
  }, [expiresAt]);
  if (left <= 0) return <Alert kind="info">{t("claimExpired")}</Alert>;
  const s = Math.ceil(left / 1000);
  const clock = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  return (
    <span className="claim-timer" role="timer" data-testid="claim-timer">
      {t("claimLeft", { time: clock })}
    </span>
  );
}

/** One button (or Alt+N) → the best customer to call, held for this agent → pre-call and post-call. */
export function NextCallPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const [answer, setAnswer] = useState<NextCallAnswer | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [released, setReleased] = useState(false);
  const [version, setVersion] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const inFlight = useRef(false);

  const claim = useCallback(() => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(null);
    setNotice(null);
    fetchNext()
      .then((a) => {
        setAnswer(a);
        setReleased(false);
        setVersion(0);
      })
      .catch((err) => setError(describeError(err, i18n)))
      .finally(() => {
        inFlight.current = false;
        setBusy(false);
      });
  }, [i18n]);

  useEffect(() => {
    wanted.add(claim);
    if (pendingRequest) {
      pendingRequest = false;
      claim();
    }
    return () => void wanted.delete(claim);
  }, [claim]);

  // A new customer (or the "nobody to call" summary) takes the focus, so the keyboard loop starts from the top.
  useEffect(() => {
    if (answer) heading.current?.focus({ preventScroll: false });
  }, [answer]);

  const skip = async () => {
    if (!answer || !("precall" in answer)) return;
    const name = answer.precall.customer.fullName;
    try {
      await unwrap(
        api.POST("/api/crm/claims/{customerId}/release", {
          params: { path: { customerId: answer.claim.customerId } },
          body: { reason: "skipped" },
        }),
      );
      setAnswer(null);
      setNotice(t("skipped", { name }));
    } catch (err) {
      setError(describeError(err, i18n));
    }
  };

  if (answer && "precall" in answer) {
    const { claim: held, precall } = answer;
    const phone = held.phone ?? precall.customer.phone;
    return (
      <>
        {error && <Alert>{error}</Alert>}
        <PreCallView
          ref={heading}
          precall={precall}
          phone={phone}
          version={version}
          status={
            <div className="claim-bar">
              {released ? (
                <span>{t("claimReleased")}</span>
              ) : (
                <ClaimTimer claimedAt={held.claimedAt} expiresAt={held.expiresAt} />
              )}
              {!released && (
                <button type="button" onClick={() => void skip()}>
                  {t("skip")}
                </button>
              )}
            </div>
          }
        >
          <PostCallForm
            key={`${held.customerId}:${held.claimedAt}`}
            customerId={precall.customer.id}
            phone={phone}
            loans={precall.loans}
            onSaved={() => {
              setReleased(true);
              setVersion((v) => v + 1);
            }}
            onNextCall={claim}
          />
        </PreCallView>
      </>
    );
  }

  return (
    <section aria-labelledby="next-title">
      <h1 id="next-title" ref={heading} tabIndex={-1}>
        {answer ? t("nothingCallable") : t("nextCallTitle")}
      </h1>
      {error && <Alert>{error}</Alert>}
      {notice && <Alert kind="info">{notice}</Alert>}
      {answer && "summary" in answer && (
        <p className="summary-words" data-testid="next-call-summary">
          {describeSummary(answer.summary, i18n)}
        </p>
      )}
      <p>{t("nextCallIntro")}</p>
      <button
        type="button"
        className="primary big"
        onClick={claim}
        disabled={busy}
        aria-keyshortcuts={NEXT_CALL_SHORTCUT}
        data-testid="next-call-button"
      >
        {busy ? t("claiming") : t("nextCall")}
      </button>{" "}
      <span className="hint">{t("shortcut", { keys: NEXT_CALL_SHORTCUT })}</span>
    </section>
  );
}
