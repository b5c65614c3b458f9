import { Type } from "typebox";

export const ConsoleConfig = Type.Object({
  timezone: Type.String({
    description: "The centre's IANA timezone (CENTRE_TIMEZONE): dates and times are shown in it",
  }),
  currency: Type.Literal("DZD"),
  languages: Type.Array(Type.Enum(["en", "fr"])),
  accessTokenTtlSeconds: Type.Integer(),
  features: Type.Object({
    nextCall: Type.Boolean({ description: "POST /api/crm/next-call exists on this server" }),
  }),
});
