import { Type } from "typebox";
import { Email, Password, PersonName, Phone, PublicUser } from "../users/schemas.js";

export const RegisterBody = Type.Object(
  { email: Email, password: Password, name: PersonName, phone: Type.Optional(Phone) },
  { additionalProperties: false },
);

export const RegisterResponse = Type.Object({
  message: Type.Literal("User registered successfully"),
  user: Type.Pick(PublicUser, ["id", "email", "phone", "name", "role", "emailVerified"]),
  verificationEmailSent: Type.Boolean({
    description: "The code is queued in the mail outbox (always true; kept for seed 001 clients)",
  }),
});

/** REGISTRATION=approval|closed: the one answer for every registration, new or duplicate. */
export const RegistrationReceived = Type.Object({ message: Type.Literal("Registration received") });

/** Any one identifier: `emailOrPhone` (the UI's single field), or `email`, or `phone`. */
export const LoginBody = Type.Object(
  {
    emailOrPhone: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    phone: Type.Optional(Phone),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    refreshCookie: Type.Optional(
      Type.Boolean({
        description:
          "Browsers: true puts the refresh token in an HttpOnly, SameSite=Strict cookie scoped to /api/auth/refresh instead of the body",
      }),
    ),
  },
  { additionalProperties: false },
);

const RefreshToken = Type.String({
  description: "Single-use refresh token; absent when it was sent as the HttpOnly cookie",
});

export const TokenPair = Type.Object({
  token: Type.String({ description: "Access token (JWT), sent as `Authorization: Bearer`" }),
  refresh: Type.Optional(RefreshToken),
  expiresIn: Type.Integer({ description: "Seconds until the access token expires" }),
});

export const LoginResponse = Type.Object({
  message: Type.Literal("Login successful"),
  token: Type.String(),
  refresh: Type.Optional(RefreshToken),
  expiresIn: Type.Integer(),
  username: Type.String(),
  email: Type.String(),
  user: PublicUser,
});

export const RefreshBody = Type.Object(
  {
    refresh: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 512,
        description: "Required unless the request carries the refresh cookie set at login",
      }),
    ),
  },
  { additionalProperties: false },
);

export const SessionView = Type.Object({
  id: Type.String({ format: "uuid" }),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: "date-time" }),
  lastActivityAt: Type.String({ format: "date-time" }),
  current: Type.Boolean(),
});

export const SessionList = Type.Object({ data: Type.Array(SessionView) });

export const SessionIdParams = Type.Object({ id: Type.String({ format: "uuid" }) });

/** Seed 004's original payloads. */
export const LegacyRegisterBody = Type.Object({ email: Email, password: Password, username: PersonName });
export const LegacyLoginBody = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});
export const LegacyLoginResponse = Type.Object({
  message: Type.Literal("Login successful"),
  token: Type.String(),
  refresh: Type.String(),
  username: Type.String(),
  email: Type.String(),
});
/** Seed 004 sends `{name}`; email and phone changes need `currentPassword`, as on /api/auth/profile. */
export const LegacyUpdateProfileBody = Type.Object({
  name: Type.Optional(PersonName),
  email: Type.Optional(Email),
  phone: Type.Optional(Type.Union([Phone, Type.Null()])),
  currentPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
});
