import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { AppError } from "./errors.js";

/** Algeria: numbers written nationally (0661 23 45 67) are read as +213. */
export const DEFAULT_PHONE_REGION = "DZ";

export interface NormalizedPhone {
  /** E.164, the form every phone is stored and looked up in. */
  e164: string;
  isMobile: boolean;
}

/**
 * Parses any common way of writing a number (0661 23 45 67, +213661234567, 213661234567,
 * 00213…) into E.164; undefined when it is not a valid number.
 */
export function normalizePhone(input: string): NormalizedPhone | undefined {
  const parsed = parsePhoneNumberFromString(input.trim(), DEFAULT_PHONE_REGION);
  if (!parsed?.isValid()) return undefined;
  const type = parsed.getType();
  return { e164: parsed.number, isMobile: type === "MOBILE" || type === "FIXED_LINE_OR_MOBILE" };
}

/** 400 INVALID_PHONE in the one error shape, naming the field. */
export const invalidPhone = (message: string, path = "/phone") =>
  new AppError("INVALID_PHONE", `Invalid phone: ${message}`, { details: [{ path, message }] });

/** The number in E.164 (and whether it is a mobile), or 400 INVALID_PHONE for `path`. */
export function requirePhone(input: string, path = "/phone"): NormalizedPhone {
  const phone = normalizePhone(input);
  if (!phone) throw invalidPhone(`${JSON.stringify(input)} is not a valid phone number`, path);
  return phone;
}
