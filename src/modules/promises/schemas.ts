import { Type } from "typebox";
import { Nullable } from "../../lib/http-schemas.js";

export const PromiseView = Type.Object({
  id: Type.String({ format: "uuid" }),
  loanId: Type.String({ format: "uuid" }),
  customerId: Type.String({ format: "uuid" }),
  interactionId: Nullable(Type.String({ format: "uuid" })),
  amount: Type.String(),
  dueDate: Type.String({ format: "date" }),
  status: Type.Enum(["pending", "kept", "broken", "cancelled"]),
  createdBy: Nullable(Type.String({ format: "uuid" })),
  createdAt: Type.String({ format: "date-time" }),
  resolvedAt: Nullable(Type.String({ format: "date-time" })),
});
export const PromiseList = Type.Object({ data: Type.Array(PromiseView) });
