import { type TSchema, Type } from "typebox";

/** The one error shape every non-2xx response has. Extra fields (lockedUntil…) may follow `details`. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ examples: ["VALIDATION_ERROR"] }),
        message: Type.String(),
        details: Type.Optional(
          Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
            description: "One entry per invalid field, as a JSON pointer into the request",
          }),
        ),
      },
      { additionalProperties: true },
    ),
    requestId: Type.String(),
  },
  { additionalProperties: true, $id: undefined, title: "ErrorResponse" },
);

export const MessageResponse = Type.Object({ message: Type.String() });

/** Every route documents the error shape for client and server errors. */
export const defaultErrorResponses = { "4xx": ErrorResponse, "5xx": ErrorResponse } as const;

/** A field that may be null (JSON null, not absent). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
