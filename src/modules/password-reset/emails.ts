import type { MailMessage } from "../mail/mailer.js";

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
