import type { Config } from "../../config.js";
import type { DbOrTx } from "../../db/client.js";
import { invalidPhone, requirePhone } from "../../lib/phone.js";
import { activePhonePrefixes } from "./repository.js";

/**
 * Seed 002 is_valid_mobilis_phone: staff phones are E.164 mobiles and, under PHONE_POLICY=mobilis,
 * must fall in an active Mobilis range (the prefixes table, so admins can change it without a deploy).
 */
export async function normalizeStaffPhone(
  db: DbOrTx,
  input: string,
  policy: Config["PHONE_POLICY"],
  path = "/phone",
): Promise<string> {
  const phone = requirePhone(input, path);
  if (!phone.isMobile) throw invalidPhone("must be a mobile number", path);
  if (policy === "mobilis") {
    const prefixes = await activePhonePrefixes(db);
    if (!prefixes.some((p) => phone.e164.startsWith(p))) {
      throw invalidPhone(`only Mobilis numbers are accepted (prefixes: ${prefixes.join(", ")})`, path);
    }
  }
  return phone.e164;
}
