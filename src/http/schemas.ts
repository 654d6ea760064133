/**
 * Route schemas shared by several route files. They validate requests, shape responses (fields not
 * declared are not sent) and generate the OpenAPI document.
 */
import { type TSchema, Type } from "@fastify/type-provider-typebox";
import { ERROR_STATUS, type ErrorCode } from "../errors.ts";

export const ErrorEnvelope = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.Object({
      code: Type.Enum(Object.keys(ERROR_STATUS) as ErrorCode[]),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { description: "Every error answers with this envelope" },
);

/** `{ 400: ErrorEnvelope, 401: ErrorEnvelope, … }` for a route's documented failures. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorEnvelope]));
}

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const UserSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  phoneNumber: Nullable(Type.String()),
  role: Type.Enum(["customer", "technician", "admin"]),
  createdAt: Type.String({ format: "date-time" }),
});

export const PaginationQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
};

/** The fields every paginated list answers with, next to its items. */
export const PageFields = {
  success: Type.Literal(true),
  count: Type.Integer(),
  total: Type.Integer(),
  page: Type.Integer(),
  pages: Type.Integer(),
};

/** OpenAPI security requirement for routes that need a session token. */
export const bearerAuth = [{ bearerAuth: [] }];
