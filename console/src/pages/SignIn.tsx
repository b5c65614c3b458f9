import { useState } from "react";
import { useForm } from "react-hook-form";
import { api, unwrap } from "../api/client";
import { useI18n } from "../i18n";
import { useAuth } from "../lib/auth";
import { describeError } from "../lib/errors";
import { Link, navigate } from "../lib/router";
import { Alert, Field } from "../lib/ui";

export function SignIn() {
  const i18n = useI18n();
  const { t } = i18n;
  const auth = useAuth();
  const [error, setError] = useState<{ text: string; code: string } | null>(null);
  const { register, handleSubmit, formState } = useForm<{ identifier: string; password: string }>();

  const onSubmit = handleSubmit(async ({ identifier, password }) => {
    setError(null);
    try {
      const res = await unwrap(
        api.POST("/api/auth/login", { body: { emailOrPhone: identifier.trim(), password, refreshCookie: true } }),
      );
      auth.signedIn(res.token, res.expiresIn, res.user);
      if (!res.user.mustChangePassword) navigate("/", { replace: true });
    } catch (err) {
      setError({ text: describeError(err, i18n), code: (err as { code?: string }).code ?? "" });
    }
  });

  return (
    <section className="card narrow" aria-labelledby="signin-title">
      <h1 id="signin-title">{t("signIn")}</h1>
      {auth.notice && !error && <Alert kind="info">{t(auth.notice)}</Alert>}
      {error && (
        <Alert>
          {error.text} {error.code === "EMAIL_NOT_VERIFIED" && <Link href="/verify-email">{t("verifyEmailLink")}</Link>}
        </Alert>
      )}
      <form onSubmit={onSubmit} noValidate>
        <Field label={t("emailOrPhone")} error={formState.errors.identifier && t("required")}>
          <input type="text" autoComplete="username" autoFocus {...register("identifier", { required: true })} />
        </Field>
        <Field label={t("password")} error={formState.errors.password && t("required")}>
          <input type="password" autoComplete="current-password" {...register("password", { required: true })} />
        </Field>
        <button type="submit" className="primary" disabled={formState.isSubmitting}>
          {t("signIn")}
        </button>
      </form>
      <p className="links">
        <Link href="/forgot-password">{t("forgotPassword")}</Link> ·{" "}
        <Link href="/verify-email">{t("verifyEmailLink")}</Link>
      </p>
    </section>
  );
}
