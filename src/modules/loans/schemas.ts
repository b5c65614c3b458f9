import { Type } from "typebox";
import { COLLECTION_STATUSES, PAYMENT_STATUSES } from "../../db/schema/index.js";
import { Money } from "../../lib/money.js";
import { CursorQuery, LimitQuery, PageInfo } from "../../lib/pagination.js";
import { VersionField } from "../../lib/versioning.js";
import { BUCKETS } from "./arrears.js";
import { Nullable } from "../../lib/http-schemas.js";

export const PaymentStatus = Type.Enum(PAYMENT_STATUSES);
export const CollectionStatus = Type.Enum(COLLECTION_STATUSES);
export const Bucket = Type.Enum(BUCKETS);
const DateOnly = Type.String({ format: "date", examples: ["2026-05-01"] });
const Rate = Type.String({
  pattern: "^[0-9]{1,3}(\\.[0-9]{1,4})?$",
  description: 'Annual rate in percent, e.g. "12.5"',
});

export const LoanView = Type.Object({
  id: Type.String({ format: "uuid" }),
  customerId: Type.String({ format: "uuid" }),
  loanNumber: Type.String(),
  productName: Type.String(),
  principal: Type.String(),
  interestRate: Type.String(),
  termMonths: Type.Integer(),
  installmentAmount: Type.String(),
  currency: Type.String(),
  disbursedAt: Nullable(Type.String()),
  outstandingBalance: Type.String(),
  amountOverdue: Type.String(),
  nextDueDate: Nullable(Type.String()),
  missedInstallments: Type.Integer(),
  paymentStatus: PaymentStatus,
  collectionStatus: CollectionStatus,
  daysPastDue: Type.Integer({ description: "From nextDueDate and today in the customer's timezone" }),
  bucket: Bucket,
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
  version: Type.Integer(),
});

export const LoanCreateBody = Type.Object(
  {
    customerId: Type.String({ format: "uuid" }),
    loanNumber: Type.String({ minLength: 1, maxLength: 64 }),
    productName: Type.String({ minLength: 1, maxLength: 120 }),
    principal: Money,
    interestRate: Type.Optional(Rate),
    termMonths: Type.Integer({ minimum: 1, maximum: 600 }),
    installmentAmount: Money,
    currency: Type.Optional(Type.String({ pattern: "^[A-Z]{3}$" })),
    disbursedAt: Type.Optional(DateOnly),
    outstandingBalance: Type.Optional(Money),
    amountOverdue: Type.Optional(Money),
    nextDueDate: Type.Optional(DateOnly),
    missedInstallments: Type.Optional(Type.Integer({ minimum: 0, maximum: 600 })),
    paymentStatus: Type.Optional(PaymentStatus),
    collectionStatus: Type.Optional(CollectionStatus),
  },
  { additionalProperties: false },
);

export const LoanPatchBody = Type.Object(
  {
    productName: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
    interestRate: Type.Optional(Rate),
    termMonths: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })),
    installmentAmount: Type.Optional(Money),
    outstandingBalance: Type.Optional(Money),
    amountOverdue: Type.Optional(Money),
    nextDueDate: Type.Optional(Nullable(DateOnly)),
    missedInstallments: Type.Optional(Type.Integer({ minimum: 0, maximum: 600 })),
    paymentStatus: Type.Optional(PaymentStatus),
    collectionStatus: Type.Optional(CollectionStatus),
    version: Type.Optional(VersionField),
  },
  { additionalProperties: false },
);

export const LoanListQuery = Type.Object(
  {
    cursor: Type.Optional(CursorQuery),
    limit: LimitQuery,
    customerId: Type.Optional(Type.String({ format: "uuid" })),
    paymentStatus: Type.Optional(PaymentStatus),
    collectionStatus: Type.Optional(CollectionStatus),
  },
  { additionalProperties: false },
);

export const LoanList = Type.Object({ data: Type.Array(LoanView), page: PageInfo });
export const IdParams = Type.Object({ id: Type.String({ format: "uuid" }) });
export const IfMatchHeaders = Type.Object({ "if-match": Type.Optional(Type.String()) });
