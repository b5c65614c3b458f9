import { Type } from "typebox";
import { PAYMENT_METHODS } from "../../db/schema/index.js";
import { Money } from "../../lib/money.js";
import { CursorQuery, LimitQuery, PageInfo } from "../../lib/pagination.js";
import { LoanView } from "../loans/schemas.js";

export const PaymentBody = Type.Object(
  {
    amount: Money,
    paidAt: Type.String({ format: "date-time" }),
    method: Type.Enum(PAYMENT_METHODS),
    reference: Type.String({
      minLength: 1,
      maxLength: 100,
      description: "Unique per loan; a repeat returns the first payment (safe retries)",
    }),
  },
  { additionalProperties: false },
);

export const PaymentView = Type.Object({
  id: Type.String({ format: "uuid" }),
  loanId: Type.String({ format: "uuid" }),
  amount: Type.String(),
  paidAt: Type.String({ format: "date-time" }),
  method: Type.String(),
  reference: Type.String(),
  recordedBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: "date-time" }),
});

export const PaymentResult = Type.Object({ ...PaymentView.properties, loan: LoanView });

export const PaymentListQuery = Type.Object(
  { cursor: Type.Optional(CursorQuery), limit: LimitQuery },
  { additionalProperties: false },
);
export const PaymentList = Type.Object({ data: Type.Array(PaymentView), page: PageInfo });
