import type { App } from "../../src/app.js";

/**
 * Mail goes through the outbox and is delivered by a worker after the request has answered: a test
 * that reads a code from the SMTP server first lets the worker deliver everything due.
 */
export async function deliverMail(app: App): Promise<void> {
  await app.services.mailOutbox.drain();
}
