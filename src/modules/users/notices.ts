import type { MailMessage } from "../mail/mailer.js";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export type AccountNotice =
  | "email_change_requested"
  | "email_changed"
  | "phone_changed"
  | "password_changed"
  | "registration_attempt"
  | "account_approved";

const NOT_YOU = "If this was not you, contact your administrator at once.";

/**
 * Notices to an account's current (verified) address: every change of email, phone or password is
 * told there, so a stolen session cannot quietly take the account over (issue 11).
 */
export function accountNoticeEmail(to: string, notice: AccountNotice, detail?: string): MailMessage {
  const lines: Record<AccountNotice, [string, string[]]> = {
    email_change_requested: [
      "A change of your sign-in email was requested",
      [
        `Someone signed in to your account asked to change its email address to ${detail}.`,
        "Nothing changes until the code sent to that address is entered.",
        NOT_YOU,
      ],
    ],
    email_changed: [
      "Your sign-in email was changed",
      [`Your account's email address is now ${detail}; this address no longer signs in.`, NOT_YOU],
    ],
    phone_changed: [
      "Your phone number was changed",
      [`Your account's phone number was changed${detail ? ` to ${detail}` : " (removed)"}.`, NOT_YOU],
    ],
    password_changed: [
      "Your password was changed",
      ["Your password was changed; your other sessions have been signed out.", NOT_YOU],
    ],
    registration_attempt: [
      "Someone tried to register with your details",
      [
        "Someone tried to create a new account with your email address or phone number. You already have an account: nothing was created.",
        'To get back in, use "Forgot password" on the sign-in screen.',
      ],
    ],
    account_approved: [
      "Your account was approved",
      [`An administrator approved your account${detail ? ` as ${detail}` : ""}. You can now use the CRM.`],
    ],
  };
  const [subject, paragraphs] = lines[notice];
  return {
    to,
    subject,
    text: paragraphs.join("\n\n"),
    html: paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n"),
  };
}
