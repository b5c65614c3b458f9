import type { Diagnosis } from "../db/diagnose.js";

/**
 * SMTP failures in three categories a user can act on (seed 001: a Gmail login refused with
 * 535-5.7.8 means an app password is needed, not that the service is broken).
 */
export function diagnoseSmtpError(err: unknown, host: string, port: number): Diagnosis {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const message = e?.message ?? String(err);
  if (e?.responseCode === 535 || e?.code === "EAUTH") {
    return {
      category: "SMTP_AUTH_REJECTED",
      message: "the SMTP server rejected the login: for Gmail use a 16-character app password",
      fix: "create an app password (Google account → Security → 2-Step Verification → App passwords) and put it in EMAIL_PASS",
    };
  }
  if (e?.code === "ETIMEDOUT" || /timeout/i.test(message)) {
    return {
      category: "SMTP_TIMEOUT",
      message: `the SMTP server at ${host}:${port} did not answer in time`,
      fix: "check SMTP_HOST/SMTP_PORT and that outbound SMTP is allowed from this network",
    };
  }
  if (e?.code === "ECONNREFUSED" || e?.code === "ESOCKET" || e?.code === "ECONNECTION" || e?.code === "EDNS") {
    return {
      category: "SMTP_UNREACHABLE",
      message: `cannot connect to the SMTP server at ${host}:${port}`,
      fix: "check SMTP_HOST, SMTP_PORT and SMTP_SECURE (465 uses SMTP_SECURE=true, 587 uses false)",
    };
  }
  return {
    category: "SMTP_ERROR",
    message: `SMTP failed: ${message}`,
    fix: "see the SMTP server's answer above",
  };
}
