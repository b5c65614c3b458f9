import { useState } from "react";
import { useForm } from "react-hook-form";
import { api, ApiError, unwrap } from "../api/client";
import { useI18n } from "../i18n";
import { describeError } from "../lib/errors";
import { Link } from "../lib/router";
import { Alert, Field } from "../lib/ui";

export function VerifyEmail() {
  const i18n = useI18n();
  const { t } = i18n;
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const {
    register,
    handleSubmit,
    formState,
    getValues,
    setError: setFieldError,
    trigger,
  } = useForm<{ email: string; otp: string }>();

  const fail = (err: unknown) => {
    const fields = err instanceof ApiError ? err.fieldErrors() : {};
    if (fields.email) setFieldError("email", { message: fields.email });
    else if (fields.otp) setFieldError("otp", { message: fields.otp });
    else setError(describeError(err, i18n));
  };

  const onSubmit = handleSubmit(async ({ email, otp }) => {
    setError(null);
    try {
      await unwrap(api.POST("/api/auth/verify-email", { body: { email: email.trim(), otp: otp.trim() } }));
      setDone(true);
    } catch (err) {
      fail(err);
    }
  });

  const resend = async () => {
    setError(null);
    if (!(await trigger("email"))) return;
    try {
      await unwrap(api.POST("/api/auth/resend-verification", { body: { email: getValues("email").trim() } }));
      setInfo(t("codeSent"));
    } catch (err) {
      fail(err);
    }
  };

  return (
    <section className="card narrow" aria-labelledby="ve-title">
      <h1 id="ve-title">{t("verifyTitle")}</h1>
      {error && <Alert>{error}</Alert>}
      {info && <Alert kind="info">{info}</Alert>}
      {done ? (
        <Alert kind="success">{t("emailVerified")}</Alert>
      ) : (
        <form onSubmit={onSubmit} noValidate>
          <p>{t("verifyIntro")}</p>
          <Field
            label={t("email")}
            error={formState.errors.email?.message || (formState.errors.email && t("required"))}
          >
            <input type="email" autoComplete="email" autoFocus {...register("email", { required: true })} />
          </Field>
          <Field label={t("code")} error={formState.errors.otp?.message || (formState.errors.otp && t("required"))}>
            <input
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              {...register("otp", { required: true })}
            />
          </Field>
          <div className="actions">
            <button type="submit" className="primary" disabled={formState.isSubmitting}>
              {t("verify")}
            </button>
            <button type="button" onClick={resend}>
              {t("resendCode")}
            </button>
          </div>
        </form>
      )}
      <p className="links">
        <Link href="/sign-in">{t("backToSignIn")}</Link>
      </p>
    </section>
  );
}
