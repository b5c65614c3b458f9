import createClient from "openapi-fetch";
import type { components, paths } from "./schema";
import { authorizedFetch } from "../lib/session";

/** Every call of the console goes through this typed client (types generated from /openapi.json). */
export const api = createClient<paths>({ baseUrl: "", fetch: authorizedFetch });

export type Schemas = components["schemas"];

type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": infer R } } };
}
  ? R
  : never;

export type PreCall = Json<"/api/crm/pre-call", "get">;
export type CustomerDetail = Json<"/api/customers/{id}", "get">;
export type CustomerList = Json<"/api/customers", "get">;
export type Customer = CustomerList["data"][number];
export type Loan = CustomerDetail["loans"][number];
export type Interaction = Json<"/api/customers/{id}/interactions", "get">["data"][number];
export type PromiseRow = Json<"/api/loans/{id}/promises", "get">["data"][number];
export type Payment = Json<"/api/loans/{id}/payments", "get">["data"][number];
export type Disposition = Json<"/api/crm/dispositions", "get">["data"][number];
export type ConsoleConfig = Json<"/api/console/config", "get">;
export type PublicUser = Json<"/api/auth/me", "get">;
export type PostCallBody = NonNullable<
  paths["/api/crm/post-call"]["post"]["requestBody"]
>["content"]["application/json"];

/** The one error shape of the API. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: { path: string; message: string }[]; [extra: string]: unknown };
  requestId?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody["error"],
  ) {
    super(body.message);
  }
  get code() {
    return this.body.code;
  }
  /** Field errors keyed by their JSON pointer without the slash ("/promiseDate" → "promiseDate"). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.body.details ?? []) out[d.path.replace(/^\//, "").split("/")[0] || "_"] = d.message;
    return out;
  }
}

/** The data of a call, or an ApiError carrying the API's code, message and field details. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const body = (error as ApiErrorBody | undefined)?.error ?? {
    code: "HTTP_" + response.status,
    message: response.statusText,
  };
  throw new ApiError(response.status, body);
}
