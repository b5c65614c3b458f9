/**
 * Bench staff: agents registered over HTTP like real self-registration, and the token pairs the
 * scenarios need. Setup traffic goes through fetch, not autocannon, so it is never measured.
 */

export interface Agent {
  email: string;
  password: string;
}

export interface Session {
  token: string;
  refresh: string;
}

/** Strong enough for the zxcvbn check (score ≥ 2) and distinct per agent. */
export const agentPassword = (n: number) => `Bench-Agent-Oasis-2026-${n}`;
export const agentEmail = (n: number) => `bench-agent-${n}@example.com`;

async function postJson(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json };
}

/** Runs `fn` over `items` with at most `limit` in flight: enough to keep both cores busy on bcrypt. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function registerAgents(baseUrl: string, count: number): Promise<Agent[]> {
  const numbers = Array.from({ length: count }, (_, i) => i + 1);
  return mapLimit(numbers, 4, async (n) => {
    const agent = { email: agentEmail(n), password: agentPassword(n) };
    const { status, json } = await postJson(`${baseUrl}/api/auth/register`, { ...agent, name: `Bench Agent ${n}` });
    // 409: registered by an earlier run on a kept database (--database), with the same password.
    if (status !== 201 && status !== 409)
      throw new Error(`POST /api/auth/register for ${agent.email}: ${status} ${JSON.stringify(json)}`);
    return agent;
  });
}

export async function login(baseUrl: string, agent: Agent): Promise<Session> {
  const { status, json } = await postJson(`${baseUrl}/api/auth/login`, {
    emailOrPhone: agent.email,
    password: agent.password,
  });
  const body = json as Partial<Session>;
  if (status !== 200 || !body.token || !body.refresh)
    throw new Error(`POST /api/auth/login for ${agent.email}: ${status} ${JSON.stringify(json)}`);
  return { token: body.token, refresh: body.refresh };
}

/** `count` fresh sessions, spread over the agents round-robin (one agent may have several). */
export function openSessions(baseUrl: string, agents: Agent[], count: number): Promise<Session[]> {
  const picks = Array.from({ length: count }, (_, i) => agents[i % agents.length]!);
  return mapLimit(picks, 4, (agent) => login(baseUrl, agent));
}

/** One probe request, to tell "route missing" (404) apart from a slow or failing one. */
export async function probe(url: string, token: string): Promise<{ status: number; body: string; entries?: number }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  let entries: number | undefined;
  try {
    const data = (JSON.parse(text) as { data?: unknown }).data;
    if (Array.isArray(data)) entries = data.length;
  } catch {}
  return { status: res.status, body: text.slice(0, 300), entries };
}
