import { Type } from "typebox";
import { CursorQuery, LimitQuery, PageInfo } from "../../lib/pagination.js";
import { Email, Password, PersonName, Phone, PublicUser, Role } from "../users/schemas.js";
import { Nullable } from "../../lib/http-schemas.js";

export const AdminUserView = Type.Object({
  ...PublicUser.properties,
  isLocked: Type.Boolean({ description: "Locked now (an admin lock, or a lockout not yet over)" }),
  lockedUntil: Nullable(
    Type.String({
      format: "date-time",
      description: "End of the automatic lock from failed sign-ins, if one is in force",
    }),
  ),
  adminLock: Nullable(
    Type.Object(
      {
        lockedAt: Type.String({ format: "date-time" }),
        lockedBy: Nullable(Type.String({ format: "uuid" })),
        reason: Nullable(Type.String()),
      },
      { description: "The administrative lock: no expiry, lifted only by an admin (a password reset does not)" },
    ),
  ),
  failedLoginAttempts: Type.Integer({ description: "Consecutive failed sign-ins not yet cleared by a success" }),
  lastFailedLoginAt: Nullable(Type.String({ format: "date-time" })),
  updatedAt: Type.String({ format: "date-time" }),
});

export const AdminUserList = Type.Object({ data: Type.Array(AdminUserView), page: PageInfo });

export const AdminUserListQuery = Type.Object(
  {
    cursor: Type.Optional(CursorQuery),
    limit: LimitQuery,
    role: Type.Optional(Role),
    active: Type.Optional(Type.Boolean()),
    locked: Type.Optional(Type.Boolean()),
    pendingApproval: Type.Optional(
      Type.Boolean({ description: "true: self-registered accounts waiting for approval" }),
    ),
    q: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "Part of the name or email, or a phone" }),
    ),
  },
  { additionalProperties: false },
);

export const AdminUserCreateBody = Type.Object(
  {
    email: Email,
    name: PersonName,
    role: Role,
    phone: Type.Optional(Phone),
    initialPassword: Type.Optional({
      ...Password,
      description:
        "One-time password the user must change at first sign-in; without it the user sets one through the reset flow",
    }),
  },
  { additionalProperties: false },
);

export const AdminUserCreated = Type.Object({
  user: AdminUserView,
  passwordSetup: Type.Enum(["initial_password", "reset_flow"]),
  setupEmailSent: Type.Boolean(),
});

export const AdminUserPatchBody = Type.Object(
  { name: Type.Optional(PersonName), role: Type.Optional(Role), phone: Type.Optional(Nullable(Phone)) },
  { additionalProperties: false },
);

export const ReasonBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);

export const ActivityQuery = Type.Object(
  { days: Type.Integer({ minimum: 1, maximum: 3650, default: 30 }) },
  { additionalProperties: false },
);

export const ActivitySummary = Type.Object({
  userId: Type.String({ format: "uuid" }),
  days: Type.Integer(),
  logins: Type.Integer(),
  failedLogins: Type.Integer(),
  lastLoginAt: Nullable(Type.String({ format: "date-time" })),
  activeSessions: Type.Integer(),
  interactionsRecorded: Type.Integer(),
  promisesTaken: Type.Integer(),
  promisesKept: Type.Integer(),
  lastActivityAt: Nullable(Type.String({ format: "date-time" })),
});

export const PrefixView = Type.Object({
  id: Type.Integer(),
  prefix: Type.String(),
  description: Nullable(Type.String()),
  isActive: Type.Boolean(),
  createdAt: Type.String({ format: "date-time" }),
});
export const PrefixBody = Type.Object(
  {
    prefix: Type.String({ pattern: "^\\+[0-9]{3,8}$", description: "E.164 prefix, e.g. +21366" }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    isActive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const PrefixPatchBody = Type.Object(
  {
    prefix: Type.Optional(PrefixBody.properties.prefix),
    description: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    isActive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const PrefixIdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
