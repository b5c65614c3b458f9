import { AppError } from "../../lib/errors.js";

/**
 * The answers of a code check that may tell its outcome (password reset). Email verification
 * answers every failure alike instead, so that no address shows it awaits a code.
 */
export const otpErrors = {
  noActiveCode: () => new AppError("INVALID_OTP", "There is no active code for this address; request a new one"),
  wrongCode: (attemptsLeft: number) => new AppError("INVALID_OTP", undefined, { extra: { attemptsLeft } }),
  blocked: () => new AppError("OTP_BLOCKED", "Too many wrong codes; request a new code"),
  expired: () => new AppError("OTP_EXPIRED", "The code has expired; request a new one"),
};
