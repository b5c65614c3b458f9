import { Type } from "typebox";

const Label = Type.String({ minLength: 1, maxLength: 80 });
const SortOrder = Type.Integer({ minimum: 0, maximum: 10_000, description: "Picker order, smallest first" });

export const DispositionCodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 40 }) });

export const DispositionCreateBody = Type.Object(
  {
    code: Type.String({
      pattern: "^[a-z][a-z0-9_]{1,39}$",
      description: "Lower-case letters, digits and underscores, e.g. `third_party_message`; never changes",
    }),
    label: Label,
    contacted: Type.Boolean({ description: "Someone answered (counted as a contact)" }),
    rightPartyContact: Type.Optional(Type.Boolean({ description: "It was the borrower (implies contacted)" })),
    sortOrder: Type.Optional(SortOrder),
  },
  { additionalProperties: false },
);

export const DispositionPatchBody = Type.Object(
  {
    label: Type.Optional(Label),
    contacted: Type.Optional(Type.Boolean()),
    rightPartyContact: Type.Optional(Type.Boolean()),
    isActive: Type.Optional(Type.Boolean({ description: "false retires the outcome from the picker" })),
    sortOrder: Type.Optional(SortOrder),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const DispositionAdminView = Type.Object({
  code: Type.String(),
  label: Type.String(),
  contacted: Type.Boolean(),
  rightPartyContact: Type.Boolean(),
  isActive: Type.Boolean(),
  sortOrder: Type.Integer(),
  builtIn: Type.Boolean({ description: "Its effects are code (disposition-effects.ts); a centre's own has none" }),
  requires: Type.Array(Type.Enum(["promiseAmount", "promiseDate", "callbackAt"])),
  createdAt: Type.String({ format: "date-time" }),
});

export const DispositionAdminList = Type.Object({ data: Type.Array(DispositionAdminView) });
