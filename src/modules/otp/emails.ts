const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The code and how long it lasts; deliberately no link, so there is nothing to phish with. The shape
 * is mail/mailer.ts MailMessage, written out: mail logs code deliveries through otp, so otp does not
 * import mail.
 */
export function otpEmail(
  to: string,
  code: string,
  validMinutes: number,
  purpose: "password_reset" | "email_verification",
): { to: string; subject: string; text: string; html: string } {
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
