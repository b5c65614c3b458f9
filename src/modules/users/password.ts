import { createHash, randomBytes } from "node:crypto";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as en from "@zxcvbn-ts/language-en";
import bcrypt from "bcrypt";
import { AppError } from "../../lib/errors.js";

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * bcrypt reads only the first 72 bytes, so two long passwords sharing a prefix would both match.
 * Pre-hashing with SHA-256 makes every byte count; base64 keeps NUL bytes out of bcrypt's input.
 */
function prehash(password: string): string {
  return createHash("sha256").update(password, "utf8").digest("base64");
}

/** bcrypt's native binding runs on libuv's thread pool, off the event loop. */
export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(prehash(password), cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(prehash(password), hash);
}

/**
 * A hash of a random secret, compared against when the account does not exist, so an unknown
 * email costs the same bcrypt work as a wrong password and timing reveals nothing.
 */
export function createDummyHash(cost: number): Promise<string> {
  return hashPassword(randomBytes(16).toString("hex"), cost);
}

const strength = new ZxcvbnFactory({
  translations: en.translations,
  graphs: common.adjacencyGraphs,
  dictionary: { ...common.dictionary, ...en.dictionary },
});

/** Length limits and a zxcvbn score of at least 2, judged also against the user's own name and email. */
export function assertAcceptablePassword(password: string, userInputs: string[] = [], path = "/password"): void {
  const reject = (message: string) => {
    throw new AppError("VALIDATION_ERROR", `Password rejected: ${message}`, { details: [{ path, message }] });
  };
  if (password.length < PASSWORD_MIN_LENGTH) reject(`must be at least ${PASSWORD_MIN_LENGTH} characters`);
  if (password.length > PASSWORD_MAX_LENGTH) reject(`must be at most ${PASSWORD_MAX_LENGTH} characters`);
  const inputs = userInputs.flatMap((v) => [v, ...v.split(/[@.\s]+/)]).filter((v) => v.length >= 3);
  const result = strength.check(password, inputs);
  if (result.score < 2) {
    const reason = result.feedback.warning || result.feedback.suggestions[0] || "it is too easy to guess";
    reject(`too easy to guess (${reason.replace(/\.$/, "")})`);
  }
}
