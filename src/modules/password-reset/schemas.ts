import { Type } from "typebox";
import { OtpCode } from "../otp/schemas.js";
import { Email, Password, Phone } from "../users/schemas.js";

const DevOtp = Type.Optional(Type.String({ description: "Only with OTP_IN_RESPONSE=true (development)" }));

export const RequestOtpBody = Type.Object({ email: Email, phone: Phone }, { additionalProperties: false });
export const ResendOtpBody = Type.Object({ email: Email }, { additionalProperties: false });
export const GenericOtpResponse = Type.Object({
  message: Type.Literal("If the account exists, a code has been sent"),
  otp: DevOtp,
});

export const VerifyOtpBody = Type.Object({ email: Email, otp: OtpCode }, { additionalProperties: false });
export const VerifyOtpResponse = Type.Object({
  message: Type.Literal("OTP verified"),
  resetToken: Type.String({ description: "Send it to /api/set-new-password; single use" }),
  expiresIn: Type.Integer({ description: "Seconds the reset token stays valid" }),
});

export const SetNewPasswordBody = Type.Object(
  { email: Email, resetToken: Type.String({ minLength: 1, maxLength: 256 }), newPassword: Password },
  { additionalProperties: false },
);
export const PasswordUpdatedResponse = Type.Object({ message: Type.Literal("Password updated successfully") });

/** Seed 004's payloads: the OTP was a number there, so both forms are accepted. */
export const LegacyResetPasswordBody = Type.Object({ email: Email });
export const LegacyResetPasswordResponse = Type.Object({ message: Type.Literal("OTP sent successfully"), otp: DevOtp });
export const LegacyUpdatePasswordBody = Type.Object({
  email: Email,
  otp: Type.Union([OtpCode, Type.Integer({ minimum: 0, maximum: 999999 })]),
  new_password: Password,
});
