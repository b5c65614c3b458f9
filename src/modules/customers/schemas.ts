import { Type } from "typebox";
import { Money } from "../../lib/money.js";
import { CursorQuery, LimitQuery, PageInfo } from "../../lib/pagination.js";
import { VersionField } from "../../lib/versioning.js";
import { Bucket, CollectionStatus, LoanView } from "../loans/schemas.js";
import { Nullable } from "../../lib/http-schemas.js";

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const PhoneInput = Type.String({
  minLength: 3,
  maxLength: 32,
  description: "Any format; stored in E.164",
  examples: ["0661 23 45 67"],
});

/** Writable fields; `phone` is required on create. */
const customerFields = {
  externalRef: Type.Optional(Nullable(Text(64))),
  fullName: Text(200),
  nationalId: Type.Optional(Nullable(Text(32))),
  dateOfBirth: Type.Optional(Nullable(Type.String({ format: "date" }))),
  phone: PhoneInput,
  altPhone: Type.Optional(Nullable(PhoneInput)),
  email: Type.Optional(Nullable(Type.String({ format: "email", maxLength: 254 }))),
  address: Type.Optional(Nullable(Text(500))),
  city: Type.Optional(Nullable(Text(100))),
  employer: Type.Optional(Nullable(Text(200))),
  monthlyIncome: Type.Optional(Nullable(Money)),
  preferredLanguage: Type.Optional(
    Nullable(Type.String({ minLength: 2, maxLength: 10, examples: ["ar", "fr", "kab"] })),
  ),
  timezone: Type.Optional(
    Type.String({ minLength: 1, maxLength: 64, description: "IANA name; default Africa/Algiers" }),
  ),
  doNotCall: Type.Optional(Type.Boolean()),
  notes: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
};

export const CustomerCreateBody = Type.Object(customerFields, { additionalProperties: false });

export const CustomerPatchBody = Type.Object(
  {
    ...customerFields,
    fullName: Type.Optional(customerFields.fullName),
    phone: Type.Optional(customerFields.phone),
    version: Type.Optional(VersionField),
  },
  { additionalProperties: false },
);

export const CustomerView = Type.Object({
  id: Type.String({ format: "uuid" }),
  externalRef: Nullable(Type.String()),
  fullName: Type.String(),
  nationalId: Nullable(Type.String()),
  dateOfBirth: Nullable(Type.String()),
  phone: Type.String(),
  altPhone: Nullable(Type.String()),
  email: Nullable(Type.String()),
  address: Nullable(Type.String()),
  city: Nullable(Type.String()),
  employer: Nullable(Type.String()),
  monthlyIncome: Nullable(Type.String()),
  preferredLanguage: Nullable(Type.String()),
  timezone: Type.String(),
  doNotCall: Type.Boolean(),
  notes: Nullable(Type.String()),
  totalOverdue: Type.String(),
  daysPastDue: Type.Integer({ description: "The largest of the customer's loans, today in their timezone" }),
  bucket: Bucket,
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
  version: Type.Integer(),
});

export const LoanSummary = Type.Object({
  loanCount: Type.Integer(),
  openLoans: Type.Integer(),
  totalOutstanding: Type.String(),
  totalOverdue: Type.String(),
  maxDaysPastDue: Type.Integer(),
});

export const CustomerDetail = Type.Object({
  ...CustomerView.properties,
  loans: Type.Array(LoanView),
  summary: LoanSummary,
});

export const CUSTOMER_SORTS = ["name", "createdAt", "daysPastDue", "amountOverdue"] as const;

export const CustomerListQuery = Type.Object(
  {
    cursor: Type.Optional(CursorQuery),
    limit: LimitQuery,
    q: Type.Optional(
      Type.String({
        minLength: 2,
        maxLength: 200,
        description: "Name (part), phone in any format, email, external ref or national id",
      }),
    ),
    city: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    collectionStatus: Type.Optional(CollectionStatus),
    bucket: Type.Optional(Bucket),
    minDaysPastDue: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
    hasOverdue: Type.Optional(Type.Boolean()),
    sort: Type.Enum(CUSTOMER_SORTS, { default: "name" }),
  },
  { additionalProperties: false },
);

export const CustomerList = Type.Object({ data: Type.Array(CustomerView), page: PageInfo });
