import { Type } from "typebox";
import { API_KEY_SCOPES } from "../../db/schema/index.js";

export const Scope = Type.Enum(API_KEY_SCOPES);

export const ApiKeyCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, examples: ["Dialer A (Oran site)"] }),
    scopes: Type.Array(Scope, { minItems: 1, uniqueItems: true }),
  },
  { additionalProperties: false },
);

export const ApiKeyView = Type.Object({
  id: Type.String({ format: "uuid" }),
  name: Type.String(),
  keyPrefix: Type.String({ description: "The key's first characters, to recognise it" }),
  scopes: Type.Array(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
  lastUsedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});

export const ApiKeyCreated = Type.Object({
  ...ApiKeyView.properties,
  key: Type.String({ description: "Shown once: store it now; only its hash is kept" }),
});

export const ApiKeyList = Type.Object({ data: Type.Array(ApiKeyView) });
