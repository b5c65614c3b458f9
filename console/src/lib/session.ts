/**
 * The signed-in session in the browser. The access token lives in this module's memory only; the
 * refresh token is an HttpOnly cookie the page cannot read. Refreshes are serialised across tabs
 * with the Web Locks API: every tab shares one cookie, and two tabs presenting the same refresh token
 * would trip the server's reuse detection and end the session.
 */
let accessToken: string | null = null;
let expiresAt = 0;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let inFlight: Promise<boolean> | null = null;

type EndListener = (reason: SessionEndReason) => void;
export type SessionEndReason = "ended" | "passwordChange";
const endListeners = new Set<EndListener>();

export function onSessionEnd(listener: EndListener) {
  endListeners.add(listener);
  return () => {
    endListeners.delete(listener);
  };
}

export const hasAccessToken = () => accessToken !== null;

export function adoptTokens(token: string, expiresInSeconds: number) {
  accessToken = token;
  expiresAt = Date.now() + expiresInSeconds * 1000;
  clearTimeout(refreshTimer);
  // Refresh a little before expiry, so a request seldom meets an expired token.
  const lead = Math.min(10, expiresInSeconds / 5);
  refreshTimer = setTimeout(() => void refreshAccessToken(), Math.max(1, expiresInSeconds - lead) * 1000);
}

export function forgetTokens() {
  accessToken = null;
  expiresAt = 0;
  clearTimeout(refreshTimer);
}

const LOCK_NAME = "crm-console-refresh";

async function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
  if (typeof navigator !== "undefined" && navigator.locks) return navigator.locks.request(LOCK_NAME, fn);
  return fn();
}

/**
 * One refresh per tab at a time, one across tabs at a time (the cookie rotates under the lock).
 * Returns whether the tab now holds a valid access token.
 */
export function refreshAccessToken(): Promise<boolean> {
  if (inFlight) return inFlight;
  const before = accessToken;
  inFlight = withRefreshLock(async () => {
    // Another call in this tab may have refreshed while this one waited for the lock.
    if (accessToken && accessToken !== before && expiresAt - Date.now() > 5000) return true;
    const res = await fetch("/api/auth/refresh", {
      method: "POST",
      headers: { "content-type": "application/json" },
      credentials: "same-origin",
      body: "{}",
    });
    if (!res.ok) {
      // Read off what is not used: answers are no-store, so an unread body keeps the request open.
      await res.body?.cancel();
      if (res.status !== 429) forgetTokens();
      return false;
    }
    const body = (await res.json()) as { token: string; expiresIn: number };
    adoptTokens(body.token, body.expiresIn);
    return true;
  }).finally(() => {
    inFlight = null;
  });
  return inFlight;
}

function sessionEnded(reason: SessionEndReason) {
  forgetTokens();
  for (const l of endListeners) l(reason);
}

/**
 * fetch for the typed client: adds the access token; on a 401 refreshes once and retries; when the
 * session cannot be refreshed (ended elsewhere: logout-all, lock, password change) tells the app.
 */
export async function authorizedFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const send = (req: Request) => {
    if (accessToken) req.headers.set("authorization", `Bearer ${accessToken}`);
    return fetch(req);
  };
  if (accessToken && expiresAt - Date.now() < 1000) await refreshAccessToken();
  const used = accessToken;
  const res = await send(input);
  if (res.status === 403) {
    const code = await res
      .clone()
      .json()
      .then((b: { error?: { code?: string } }) => b.error?.code)
      .catch(() => undefined);
    if (code === "PASSWORD_CHANGE_REQUIRED") for (const l of endListeners) l("passwordChange");
    return res;
  }
  if (res.status !== 401 || used === null) return res;
  // Read the 401 now: its no-store body would otherwise stay unread (and the request open) when a
  // retry's answer replaces it.
  const refused = new Response(await res.text(), {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
  // Refreshed by another request meanwhile: just retry with the new token.
  if (accessToken && accessToken !== used) return send(retry);
  if (await refreshAccessToken()) return send(retry);
  sessionEnded("ended");
  return refused;
}
