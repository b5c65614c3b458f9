import { AppError } from "../../lib/errors.js";

/** The reset token is wrong, used or expired: one answer for all three. */
export const invalidResetToken = () => new AppError("INVALID_RESET_TOKEN");
