import { Type } from "typebox";

export const OtpCode = Type.String({ pattern: "^[0-9]{6}$", description: "The 6-digit code from the email" });
