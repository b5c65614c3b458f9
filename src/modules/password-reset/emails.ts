import type { MailMessage } from "../mail/mailer.js";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The code and how long it lasts; deliberately no link, so there is nothing to phish with. */
export function otpEmail(
  to: string,
  code: string,
  validMinutes: number,
  purpose: "password_reset" | "email_verification",
): MailMessage {
  const what = purpose === "password_reset" ? "reset your password" : "verify your email address";
  const subject = purpose === "password_reset" ? "Your password reset code" : "Your email verification code";
  const text = [
    `Your code: ${code}`,
    "",
    `Enter this code to ${what}. It is valid for ${validMinutes} minutes.`,
    "If you did not ask for it, ignore this email; nothing will change.",
  ].join("\n");
  const html = `<p>Your code: <strong style="font-size:20px;letter-spacing:3px">${escapeHtml(code)}</strong></p>
<p>Enter this code to ${escapeHtml(what)}. It is valid for ${validMinutes} minutes.</p>
<p>If you did not ask for it, ignore this email; nothing will change.</p>`;
  return { to, subject, text, html };
}

export function passwordChangedEmail(to: string): MailMessage {
  const text = [
    "Your password was changed.",
    "",
    "All your sessions have been signed out. If you did not do this, contact your administrator at once.",
  ].join("\n");
  const html = `<p>Your password was changed.</p>
<p>All your sessions have been signed out. If you did not do this, contact your administrator at once.</p>`;
  return { to, subject: "Your password was changed", text, html };
}
