import { type Static, Type } from "typebox";

export const FINDING_TYPES = [
  "credential_stuffing",
  "distributed_attack",
  "otp_burst",
  "otp_blocked",
  "refresh_token_reuse",
  "success_after_failures",
  "off_hours_login",
  "repeated_forbidden",
  "untrusted_network_lockout",
] as const;
export type FindingType = (typeof FINDING_TYPES)[number];

export const SEVERITIES = ["low", "medium", "high"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SuspiciousQuery = Type.Object(
  { hours: Type.Integer({ minimum: 1, maximum: 720, default: 24, description: "Look back this many hours from now" }) },
  { additionalProperties: false },
);

export const FindingSubject = Type.Object({
  userId: Type.Optional(Type.String({ format: "uuid" })),
  email: Type.Optional(Type.String()),
  ip: Type.Optional(Type.String()),
  identifier: Type.Optional(
    Type.String({ description: "What was typed at login, when it matches no account and is not an email" }),
  ),
});

export const FindingView = Type.Object({
  type: Type.Enum(FINDING_TYPES),
  severity: Type.Enum(SEVERITIES),
  subject: FindingSubject,
  evidence: Type.Record(Type.String(), Type.Integer(), {
    description: "Counts behind the finding (failures, distinctIps…)",
  }),
  firstSeenAt: Type.String({ format: "date-time" }),
  lastSeenAt: Type.String({ format: "date-time" }),
  key: Type.String({ description: "Stable identity of the finding; the audit log holds one entry per key" }),
});

export const SuspiciousResponse = Type.Object({
  from: Type.String({ format: "date-time" }),
  to: Type.String({ format: "date-time" }),
  findings: Type.Array(FindingView),
});

export type Finding = Static<typeof FindingView>;
export type SuspiciousReport = Static<typeof SuspiciousResponse>;
