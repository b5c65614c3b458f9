import { randomUUID } from "node:crypto";
import nodemailer from "nodemailer";
import type { Config } from "../../config.js";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface OutboxEntry extends MailMessage {
  id: string;
  sentAt: string;
}

export interface Mailer {
  /** "smtp" or "console" (development: messages go to the log and the outbox). */
  kind: "smtp" | "console";
  send(message: MailMessage): Promise<void>;
  /** The latest messages of the console transport; empty for SMTP. */
  outbox(): OutboxEntry[];
  close(): void;
}

export interface MailLogger {
  info(obj: object, msg: string): void;
}

const OUTBOX_SIZE = 50;

/** The one SMTP client configuration, shared by the mailer and `crm doctor`'s login check. */
export function createSmtpTransport(config: Config) {
  return nodemailer.createTransport({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    auth: { user: config.EMAIL_USER, pass: config.EMAIL_PASS },
    // One bound for connect, greeting and each reply, so a silent server fails in SMTP_TIMEOUT_MS.
    connectionTimeout: config.SMTP_TIMEOUT_MS,
    greetingTimeout: config.SMTP_TIMEOUT_MS,
    socketTimeout: config.SMTP_TIMEOUT_MS,
  });
}

export function createMailer(config: Config, log: MailLogger): Mailer {
  const from = config.EMAIL_FROM ?? config.EMAIL_USER ?? "no-reply@crm.local";
  if (!config.EMAIL_USER) {
    const outbox: OutboxEntry[] = [];
    return {
      kind: "console",
      async send(message) {
        const entry = { ...message, id: randomUUID(), sentAt: new Date().toISOString() };
        outbox.unshift(entry);
        outbox.length = Math.min(outbox.length, OUTBOX_SIZE);
        // Development only (production refuses to start without EMAIL_USER): the code is in the text.
        log.info(
          { mail: { to: message.to, subject: message.subject, body: message.text } },
          "email (console transport)",
        );
      },
      outbox: () => [...outbox],
      close: () => {},
    };
  }
  const transport = createSmtpTransport(config);
  return {
    kind: "smtp",
    async send(message) {
      // Errors go to the outbox worker, which records their category; callers never wait for this.
      await transport.sendMail({ from, ...message });
    },
    outbox: () => [],
    close: () => transport.close(),
  };
}
