import { createHash, randomBytes, randomUUID } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { UserRole } from "../../db/schema/index.js";
import type { Clock } from "../../lib/clock.js";
import { AppError } from "../../lib/errors.js";

export interface AccessClaims {
  sub: string;
  sid: string;
  role: UserRole;
  jti: string;
  exp: number;
}

/** Refresh tokens and other bearer secrets are stored only as this digest. */
export const sha256Hex = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

const VERIFIED_CACHE_SIZE = 10_000;

export function createTokenService(options: { secret: string; accessTtlSeconds: number; clock: Clock }) {
  const key = new TextEncoder().encode(options.secret);
  const verified = new Map<string, AccessClaims>();
  const seconds = () => Math.floor(options.clock.now().getTime() / 1000);

  return {
    accessTtlSeconds: options.accessTtlSeconds,

    async signAccessToken(claims: { userId: string; sessionId: string; role: UserRole }): Promise<string> {
      const issuedAt = seconds();
      return new SignJWT({ sid: claims.sessionId, role: claims.role })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(claims.userId)
        .setJti(randomUUID())
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + options.accessTtlSeconds)
        .sign(key);
    },

    /** The algorithm is pinned: a token signed any other way (or "none") is refused. */
    async verifyAccessToken(token: string): Promise<AccessClaims> {
      const now = options.clock.now();
      // A signature checked once stays checked: the same token string verifies the same way until
      // it expires (the session itself is still checked on every request, in the database).
      const cached = verified.get(token);
      if (cached && cached.exp * 1000 > now.getTime()) return cached;
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ["HS256"],
          currentDate: now,
          requiredClaims: ["sub", "sid", "jti", "exp"],
        });
        const claims = payload as unknown as AccessClaims;
        if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
        verified.set(token, claims);
        return claims;
      } catch (err) {
        const expired = err instanceof joseErrors.JWTExpired;
        throw new AppError("UNAUTHORIZED", expired ? "Access token has expired" : "Access token is not valid");
      }
    },

    /** 256 random bits, returned once to the client; only the hash is kept. */
    newRefreshToken(): { token: string; hash: string } {
      const token = randomBytes(32).toString("base64url");
      return { token, hash: sha256Hex(token) };
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
