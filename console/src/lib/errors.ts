import { ApiError } from "../api/client";
import type { I18n } from "../i18n";
import type { MessageKey } from "../i18n/en";

/** An API error in the user's language: known codes get a sentence, the rest the server's message. */
export function describeError(err: unknown, { t, dateTime }: I18n): string {
  if (!(err instanceof ApiError)) return t("error.network");
  const { code, body } = err;
  if (code === "ACCOUNT_LOCKED") {
    if (typeof body.lockedUntil === "string")
      return t("error.ACCOUNT_LOCKED_UNTIL", { time: dateTime(body.lockedUntil) });
    if (body.lockedUntil === null) return t("error.ACCOUNT_LOCKED_ADMIN");
    return t("error.ACCOUNT_LOCKED");
  }
  if (code === "RATE_LIMITED") return t("error.RATE_LIMITED", { seconds: Number(body.retryAfter ?? 60) });
  if (code === "INVALID_OTP" && typeof body.attemptsLeft === "number") {
    return `${t("error.INVALID_OTP")} ${t("attemptsLeft", { n: body.attemptsLeft })}`;
  }
  const key = `error.${code}` as MessageKey;
  const known = t(key);
  return known !== key ? known : t("error.generic", { message: err.message });
}
