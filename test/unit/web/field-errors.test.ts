import { describe, expect, it } from "vitest";
import { formErrorsFrom } from "../../../web/src/lib/field-errors.ts";

const FIELDS = ["name", "email", "password", "phoneNumber"] as const;

describe("formErrorsFrom", () => {
  it("places the API's VALIDATION_ERROR fields list next to each field", () => {
    const errors = formErrorsFrom(
      {
        code: "VALIDATION_ERROR",
        message: "Invalid request: password must NOT have fewer than 8 characters",
        details: {
          fields: [
            { field: "password", in: "body", message: "must NOT have fewer than 8 characters" },
            { field: "email", in: "body", message: 'must match format "email"' },
            { field: "password", in: "body", message: "second message is ignored" },
          ],
        },
      },
      FIELDS,
    );
    expect(errors).toEqual({
      fields: { password: "Must NOT have fewer than 8 characters", email: 'Must match format "email"' },
      form: null,
    });
  });

  it("reads Ajv-style paths and missing properties", () => {
    const errors = formErrorsFrom(
      {
        code: "VALIDATION_ERROR",
        message: "Invalid",
        details: {
          validation: [
            { instancePath: "/body/email", message: "is too long" },
            {
              instancePath: "",
              params: { missingProperty: "name" },
              message: "must have required property 'name'",
            },
          ],
        },
      },
      FIELDS,
    );
    expect(errors.fields).toEqual({ email: "Is too long", name: "Must have required property 'name'" });
  });

  it("accepts a plain field → message map", () => {
    expect(
      formErrorsFrom({ code: "VALIDATION_ERROR", message: "x", details: { name: "required" } }, FIELDS),
    ).toEqual({
      fields: { name: "Required" },
      form: null,
    });
  });

  it("puts a code that belongs to one field on that field", () => {
    const errors = formErrorsFrom(
      { code: "EMAIL_TAKEN", message: "An account with this email exists" },
      FIELDS,
      {
        EMAIL_TAKEN: "email",
      },
    );
    expect(errors).toEqual({ fields: { email: "An account with this email exists" }, form: null });
  });

  it("keeps unknown fields and other codes as a form-level message", () => {
    expect(
      formErrorsFrom(
        {
          code: "VALIDATION_ERROR",
          message: "Bad body",
          details: { fields: [{ field: "body", message: "x" }] },
        },
        FIELDS,
      ),
    ).toEqual({ fields: {}, form: "Bad body" });
    expect(formErrorsFrom({ code: "RATE_LIMITED", message: "Slow down" }, FIELDS)).toEqual({
      fields: {},
      form: "Slow down",
    });
  });
});
