import { createHmac, randomInt, timingSafeEqual } from "node:crypto";

/**
 * The key of every code hash (reset and verification alike), derived from JWT_SECRET: one secret
 * protects tokens and codes, and rotating it voids both.
 */
export function otpKey(jwtSecret: string): string {
  return createHmac("sha256", jwtSecret).update("otp-key").digest("hex");
}

/** Six digits from the operating system's CSPRNG. */
export function generateOtp(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, "0");
}

/**
 * Keyed hash of a code, bound to its request: a leaked table cannot be brute-forced offline
 * (10^6 codes) without the server's key, and a code from one request is useless on another.
 */
export function hashOtp(key: string, requestId: string, code: string): string {
  return createHmac("sha256", key).update(`otp:${requestId}:${code}`).digest("hex");
}

export function otpMatches(key: string, requestId: string, code: string, storedHash: string): boolean {
  const candidate = Buffer.from(hashOtp(key, requestId, code), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}
