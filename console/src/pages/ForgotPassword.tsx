import { useState } from "react";
import { useForm } from "react-hook-form";
import { api, ApiError, unwrap } from "../api/client";
import { useI18n } from "../i18n";
import { describeError } from "../lib/errors";
import { Link } from "../lib/router";
import { Alert, Field } from "../lib/ui";

type Step = "request" | "code" | "password" | "done";

/** The OTP flow: email + phone → emailed code → reset token → new password. */
export function ForgotPassword() {
  const i18n = useI18n();
  const { t } = i18n;
  const [step, setStep] = useState<Step>("request");
  const [email, setEmail] = useState("");
  const [resetToken, setResetToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const form = useForm<{ email: string; phone: string; otp: string; newPassword: string }>();
  const { register, handleSubmit, formState, setError: setFieldError } = form;

  const fail = (err: unknown) => {
    const fields = err instanceof ApiError ? err.fieldErrors() : {};
    let placed = false;
    for (const name of ["email", "phone", "otp", "newPassword"] as const) {
      if (fields[name]) {
        setFieldError(name, { message: fields[name] });
        placed = true;
      }
    }
    if (!placed) setError(describeError(err, i18n));
  };

  const onSubmit = handleSubmit(async (v) => {
    setError(null);
    try {
      if (step === "request") {
        await unwrap(api.POST("/api/request-otp", { body: { email: v.email.trim(), phone: v.phone.trim() } }));
        setEmail(v.email.trim());
        setInfo(t("codeSent"));
        setStep("code");
      } else if (step === "code") {
        const res = await unwrap(api.POST("/api/verify-otp", { body: { email, otp: v.otp.trim() } }));
        setResetToken(res.resetToken);
        setInfo(null);
        setStep("password");
      } else if (step === "password") {
        await unwrap(api.POST("/api/set-new-password", { body: { email, resetToken, newPassword: v.newPassword } }));
        setStep("done");
      }
    } catch (err) {
      fail(err);
    }
  });

  const err = (name: "email" | "phone" | "otp" | "newPassword") =>
    formState.errors[name]?.message || (formState.errors[name] && t("required"));

  return (
    <section className="card narrow" aria-labelledby="fp-title">
      <h1 id="fp-title">{t("forgotTitle")}</h1>
      {error && <Alert>{error}</Alert>}
      {info && <Alert kind="info">{info}</Alert>}
      {step === "done" ? (
        <Alert kind="success">{t("passwordReset")}</Alert>
      ) : (
        <form onSubmit={onSubmit} noValidate>
          {step === "request" && (
            <>
              <p>{t("forgotIntro")}</p>
              <Field label={t("email")} error={err("email")}>
                <input type="email" autoComplete="email" autoFocus {...register("email", { required: true })} />
              </Field>
              <Field label={t("phone")} error={err("phone")}>
                <input type="tel" autoComplete="tel" {...register("phone", { required: true })} />
              </Field>
              <button type="submit" className="primary" disabled={formState.isSubmitting}>
                {t("sendCode")}
              </button>
            </>
          )}
          {step === "code" && (
            <>
              <Field label={t("code")} error={err("otp")}>
                <input
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  autoFocus
                  maxLength={6}
                  {...register("otp", { required: true })}
                />
              </Field>
              <button type="submit" className="primary" disabled={formState.isSubmitting}>
                {t("checkCode")}
              </button>
            </>
          )}
          {step === "password" && (
            <>
              <Field label={t("newPassword")} hint={t("passwordHint")} error={err("newPassword")}>
                <input
                  type="password"
                  autoComplete="new-password"
                  autoFocus
                  {...register("newPassword", { required: true })}
                />
              </Field>
              <button type="submit" className="primary" disabled={formState.isSubmitting}>
                {t("setPassword")}
              </button>
            </>
          )}
        </form>
      )}
      <p className="links">
        <Link href="/sign-in">{t("backToSignIn")}</Link>
      </p>
    </section>
  );
}
