import { Type } from "typebox";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password.js";

export const Email = Type.String({ format: "email", maxLength: 254, examples: ["agent@example.dz"] });
export const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH });
export const PersonName = Type.String({ minLength: 1, maxLength: 100 });
export const Phone = Type.String({
  minLength: 3,
  maxLength: 32,
  description: "Any common format (0661 23 45 67, +213661234567); stored in E.164",
  examples: ["0661234567"],
});
export const Role = Type.Union([Type.Literal("admin"), Type.Literal("supervisor"), Type.Literal("agent")]);

export const PublicUser = Type.Object({
  id: Type.String({ format: "uuid" }),
  email: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  role: Role,
  isActive: Type.Boolean(),
  emailVerified: Type.Boolean({ description: "The address was proved with the emailed code" }),
  pendingEmail: Type.Union([Type.String(), Type.Null()], {
    description: "A requested new address, in use once its code is verified",
  }),
  pendingApproval: Type.Boolean({
    description: "REGISTRATION=approval: waiting for an admin; only the profile routes answer until then",
  }),
  mustChangePassword: Type.Boolean({
    description: "A one-time initial password: only change-password is allowed until it is replaced",
  }),
  lastLoginAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  createdAt: Type.String({ format: "date-time" }),
});

export const ProfileUpdateBody = Type.Object(
  {
    name: Type.Optional(PersonName),
    email: Type.Optional(Email),
    phone: Type.Optional(Type.Union([Phone, Type.Null()])),
    currentPassword: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description: "Required to change email or phone (403 REAUTH_REQUIRED otherwise)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const ProfileUpdateResponse = Type.Object({
  message: Type.Literal("Profile updated successfully"),
  user: PublicUser,
  verificationEmailSent: Type.Optional(
    Type.Boolean({
      description:
        "Present when an email change was requested: the code to the new address is queued; the change applies once it is verified",
    }),
  ),
});

export const ChangePasswordBody = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 1024 }), newPassword: Password },
  { additionalProperties: false },
);
