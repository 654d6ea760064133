/**
 * Request validation: TypeBox schemas, bodies checked as sent (no "500" → 500 coercion), query
 * strings and path parameters converted from their string form. One tightening on top of TypeBox's
 * conversion: an integer parameter must be written as one (`page=1.5`, `limit=1e3` or `page=0x10`
 * would otherwise be silently truncated or reinterpreted), so a client learns its mistake.
 */
import { TypeBoxValidatorCompiler } from "@fastify/type-provider-typebox";
import type { FastifySchemaCompiler, FastifySchemaValidationError } from "fastify";

type Schema = Parameters<typeof TypeBoxValidatorCompiler>[0]["schema"];

const WHOLE_NUMBER = /^-?\d{1,16}$/;

function integerProperties(schema: Schema): string[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties;
  if (!properties) return [];
  return Object.entries(properties)
    .filter(([, property]) => property.type === "integer")
    .map(([name]) => name);
}

function notWholeNumber(name: string): FastifySchemaValidationError {
  return {
    keyword: "type",
    instancePath: `/${name}`,
    schemaPath: `#/properties/${name}/type`,
    params: { type: "integer" },
    message: "must be a whole number",
  };
}

export const validatorCompiler: FastifySchemaCompiler<Schema> = (route) => {
  const validate = TypeBoxValidatorCompiler(route);
  if (route.httpPart === "body") return validate;
  const integers = integerProperties(route.schema);
  if (integers.length === 0) return validate;
  return (value) => {
    const raw = value as Record<string, unknown> | null | undefined;
    const errors = integers
      .filter((name) => {
        const given = raw?.[name];
        return given !== undefined && (typeof given !== "string" || !WHOLE_NUMBER.test(given));
      })
      .map(notWholeNumber);
    return errors.length > 0 ? { error: errors } : validate(value);
  };
};
