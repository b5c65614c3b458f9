/**
 * What each call outcome does when a post-call records it. The built-in codes are a typed table (a
 * misspelt code does not compile); a centre's own dispositions (rows added to `dispositions`) declare
 * only `contacted` and `rightPartyContact` in their row and have no other effect. The rows and this
 * table are compared at start-up (`checkDispositions`).
 */
export interface DispositionEffects {
  /** Someone answered (counted as a contact in the statistics). */
  contacted: boolean;
  /** It was the borrower. */
  rightPartyContact: boolean;
  /**
   * A promise on the call's loan (or the most overdue open one), replacing its pending ones; needs
   * promiseAmount and promiseDate, which no other outcome accepts.
   */
  promise: boolean;
  /** The collection status written on the call's loan, or, when the call names none, every open loan. */
  loanStatus: "promise_to_pay" | "dispute" | null;
  /** The customer is never called again. */
  doNotCall: boolean;
  /** The dialled number (the primary one when the call came by customer id) is flagged wrong. */
  flagPhone: boolean;
  /** Whether callbackAt must be given; any outcome may carry one. */
  callback: "required" | "optional";
}

/** The fields a post-call must carry for an outcome (the console's form asks for them). */
export type RequiredField = "promiseAmount" | "promiseDate" | "callbackAt";

const NONE = { promise: false, loanStatus: null, doNotCall: false, flagPhone: false, callback: "optional" } as const;
const contact = { contacted: true, rightPartyContact: true } as const;

/** The seeded outcomes (drizzle/0007_seed_dispositions.sql inserts a row for each). */
export const BUILT_IN_DISPOSITIONS = {
  promise_to_pay: { ...NONE, ...contact, promise: true, loanStatus: "promise_to_pay" },
  paid: { ...NONE, ...contact },
  callback_requested: { ...NONE, ...contact, callback: "required" },
  refused_to_pay: { ...NONE, ...contact },
  dispute: { ...NONE, ...contact, loanStatus: "dispute" },
  do_not_call: { ...NONE, ...contact, doNotCall: true },
  wrong_number: { ...NONE, contacted: true, rightPartyContact: false, flagPhone: true },
  deceased: { ...NONE, contacted: true, rightPartyContact: false, doNotCall: true },
  no_answer: { ...NONE, contacted: false, rightPartyContact: false },
  busy: { ...NONE, contacted: false, rightPartyContact: false },
  voicemail: { ...NONE, contacted: false, rightPartyContact: false },
} as const satisfies Record<string, DispositionEffects>;

export type BuiltInDisposition = keyof typeof BUILT_IN_DISPOSITIONS;

export const isBuiltInDisposition = (code: string): code is BuiltInDisposition =>
  Object.hasOwn(BUILT_IN_DISPOSITIONS, code);

/** A disposition as its row declares it. */
export interface DispositionRow {
  code: string;
  contacted: boolean;
  rightPartyContact: boolean;
}

/** The effects of a disposition: the table's for a built-in code, the row's flags and nothing else for a centre's own. */
export function effectsOf(row: DispositionRow): DispositionEffects {
  if (isBuiltInDisposition(row.code)) return BUILT_IN_DISPOSITIONS[row.code];
  return { ...NONE, contacted: row.contacted, rightPartyContact: row.rightPartyContact };
}

export function requiredFields(effects: DispositionEffects): RequiredField[] {
  return [
    ...(effects.promise ? (["promiseAmount", "promiseDate"] as const) : []),
    ...(effects.callback === "required" ? (["callbackAt"] as const) : []),
  ];
}

export interface DispositionCheck {
  /** Built-in codes without a row: post-call would refuse them. */
  missing: BuiltInDisposition[];
  /** Built-in rows whose contacted / right-party flags differ from the table (the row is what statistics count). */
  drifted: { code: BuiltInDisposition; row: DispositionRow; declared: DispositionRow }[];
  /** A centre's own codes: they get their row's contacted / right-party flags and no other effect. */
  custom: string[];
}

/** Compares the `dispositions` rows with the table. */
export function checkDispositions(rows: DispositionRow[]): DispositionCheck {
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const check: DispositionCheck = { missing: [], drifted: [], custom: [] };
  for (const [code, effects] of Object.entries(BUILT_IN_DISPOSITIONS) as [BuiltInDisposition, DispositionEffects][]) {
    const row = byCode.get(code);
    if (!row) check.missing.push(code);
    else if (row.contacted !== effects.contacted || row.rightPartyContact !== effects.rightPartyContact) {
      const declared = { code, contacted: effects.contacted, rightPartyContact: effects.rightPartyContact };
      check.drifted.push({ code, row, declared });
    }
  }
  check.custom = rows.map((r) => r.code).filter((code) => !isBuiltInDisposition(code));
  return check;
}
