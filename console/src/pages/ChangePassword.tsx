import { useState } from "react";
import { useForm } from "react-hook-form";
import { api, ApiError, unwrap } from "../api/client";
import { useI18n } from "../i18n";
import { useAuth } from "../lib/auth";
import { describeError } from "../lib/errors";
import { navigate } from "../lib/router";
import { Alert, Field } from "../lib/ui";

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

export function ChangePassword() {
  const i18n = useI18n();
  const { t } = i18n;
  const auth = useAuth();
  const [error, setError] = useState<string | null>(null);
  const { register, handleSubmit, formState, setError: setFieldError, getValues } = useForm<Values>();
  const forced = auth.user?.mustChangePassword;

  const onSubmit = handleSubmit(async ({ currentPassword, newPassword }) => {
    setError(null);
    try {
      await unwrap(api.POST("/api/auth/change-password", { body: { currentPassword, newPassword } }));
      await auth.reloadUser();
      navigate("/", { replace: true });
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      if (fields.newPassword) setFieldError("newPassword", { message: fields.newPassword });
      if (fields.currentPassword) setFieldError("currentPassword", { message: fields.currentPassword });
      if (!fields.newPassword && !fields.currentPassword) setError(describeError(err, i18n));
    }
  });

  return (
    <section className="card narrow" aria-labelledby="cp-title">
      <h1 id="cp-title">{t("changePasswordTitle")}</h1>
      {forced && <Alert kind="info">{t("changePasswordForced")}</Alert>}
      {error && <Alert>{error}</Alert>}
      <form onSubmit={onSubmit} noValidate>
        <Field
          label={t("currentPassword")}
          error={formState.errors.currentPassword?.message || (formState.errors.currentPassword && t("required"))}
        >
          <input
            type="password"
            autoComplete="current-password"
            autoFocus
            {...register("currentPassword", { required: true })}
          />
        </Field>
        <Field
          label={t("newPassword")}
          hint={t("passwordHint")}
          error={formState.errors.newPassword?.message || (formState.errors.newPassword && t("required"))}
        >
          <input type="password" autoComplete="new-password" {...register("newPassword", { required: true })} />
        </Field>
        <Field label={t("confirmPassword")} error={formState.errors.confirm && t("passwordsDiffer")}>
          <input
            type="password"
            autoComplete="new-password"
            {...register("confirm", { validate: (v) => v === getValues("newPassword") })}
          />
        </Field>
        <button type="submit" className="primary" disabled={formState.isSubmitting}>
          {t("changePassword")}
        </button>
      </form>
    </section>
  );
}
