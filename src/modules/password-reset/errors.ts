import { AppError } from "../../lib/errors.js";

/** The OTP flow's errors, shared by the reset routes and (later) email verification. */
export const otpErrors = {
  noActiveCode: () => new AppError("INVALID_OTP", "There is no active code for this address; request a new one"),
  wrongCode: (attemptsLeft: number) => new AppError("INVALID_OTP", undefined, { extra: { attemptsLeft } }),
  blocked: () => new AppError("OTP_BLOCKED", "Too many wrong codes; request a new code"),
  expired: () => new AppError("OTP_EXPIRED", "The code has expired; request a new one"),
  cooldown: (retryAfter: number) =>
    new AppError("OTP_COOLDOWN", `Wait ${retryAfter} s before asking for another code`, {
      headers: { "retry-after": String(retryAfter) },
      extra: { retryAfter },
    }),
  resendLimit: (max: number) =>
    new AppError("OTP_RESEND_LIMIT", `A code can be resent at most ${max} times; request a new one later`),
  invalidResetToken: () => new AppError("INVALID_RESET_TOKEN"),
};
