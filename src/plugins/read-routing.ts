import type { FastifyInstance } from "fastify";
import { readerActorOf } from "../db/read-routing.js";
import type { Services } from "../services.js";

const READ_ONLY_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Read-your-writes with a replica: after any non-GET request by an actor, the primary's WAL position
 * is recorded before the answer leaves (onSend), so their next read cannot overtake it.
 */
export function registerReadRouting(app: FastifyInstance, services: Services) {
  if (!services.reads.enabled) return;
  app.addHook("onSend", async (request, _reply, payload) => {
    const actor = readerActorOf(request);
    if (!actor || READ_ONLY_METHODS.has(request.method)) return payload;
    await services.reads.noteWrite(actor).catch((err: unknown) => {
      request.log.warn({ err: { message: (err as Error).message } }, "could not record the write position");
    });
    return payload;
  });
}
