import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Reader } from "../db/read-routing.js";
import { readingFrom, type Services } from "../services.js";

const READ_ONLY_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whose writes a request's reads must see: the signed-in user or the API key. */
const actorOf = (request: FastifyRequest) => request.auth?.userId ?? request.apiKey?.id ?? null;

/**
 * Read-your-writes with a replica: after any non-GET request by an actor, the primary's WAL position
 * is recorded before the answer leaves (onSend), so their next read cannot overtake it.
 */
export function registerReadRouting(app: FastifyInstance, services: Services) {
  if (!services.reads.enabled) return;
  app.addHook("onSend", async (request, _reply, payload) => {
    const actor = actorOf(request);
    if (!actor || READ_ONLY_METHODS.has(request.method)) return payload;
    await services.reads.noteWrite(actor).catch((err: unknown) => {
      request.log.warn({ err: { message: (err as Error).message } }, "could not record the write position");
    });
    return payload;
  });
}

/** The reader for this request (the replica when it may serve it). */
export const readerFor = (request: FastifyRequest, services: Services): Promise<Reader> =>
  services.reads.for(actorOf(request));

/** Services whose `db` and `queryNamed` read where this request may read; only for read-only calls. */
export async function readServices(request: FastifyRequest, services: Services): Promise<Services> {
  return readingFrom(services, await readerFor(request, services));
}
