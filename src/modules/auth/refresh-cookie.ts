import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * The web console's refresh token travels in this cookie instead of the JSON body, so no script can
 * read it. HttpOnly + SameSite=Strict, Secure in production, and sent only to the refresh route:
 * logout needs the access token alone and clears the cookie in its answer.
 */
export const REFRESH_COOKIE = "crm_refresh";
export const REFRESH_COOKIE_PATH = "/api/auth/refresh";

export function setRefreshCookie(reply: FastifyReply, token: string, maxAgeSeconds: number, secure: boolean) {
  reply.header("set-cookie", cookieLine(token, maxAgeSeconds, secure));
}

export function clearRefreshCookie(reply: FastifyReply, secure: boolean) {
  reply.header("set-cookie", cookieLine("", 0, secure));
}

/** The cookie's token, if the request carries one (base64url: no quoting or decoding needed). */
export function refreshCookieOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === REFRESH_COOKIE) {
      const value = rest.join("=");
      return /^[A-Za-z0-9_-]{1,512}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

function cookieLine(value: string, maxAgeSeconds: number, secure: boolean) {
  const attributes = [
    `${REFRESH_COOKIE}=${value}`,
    `Path=${REFRESH_COOKIE_PATH}`,
    `Max-Age=${maxAgeSeconds}`,
    "HttpOnly",
    "SameSite=Strict",
  ];
  if (secure) attributes.push("Secure");
  return attributes.join("; ");
}
