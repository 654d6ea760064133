import type { Socket } from "node:net";
import { Type, type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from "@fastify/type-provider-typebox";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { AppError } from "../../../src/errors.ts";
import { clientErrorHandler, errorHandler, notFoundHandler, toAppError } from "../../../src/http/errors.ts";

function frameworkError(code: string, statusCode: number, message = "framework says no") {
  return Object.assign(new Error(message), { code, statusCode });
}

describe("toAppError", () => {
  it("keeps our errors, but hides INTERNAL ones", () => {
    const taken = new AppError("EMAIL_TAKEN", "taken");
    expect(toAppError(taken)).toBe(taken);
    expect(toAppError(new AppError("INTERNAL", "db password is hunter2"))).toBeNull();
  });

  it.each([
    ["FST_ERR_CTP_INVALID_JSON_BODY", 400, "VALIDATION_ERROR", 400],
    ["FST_ERR_CTP_EMPTY_JSON_BODY", 400, "VALIDATION_ERROR", 400],
    ["FST_ERR_CTP_BODY_TOO_LARGE", 413, "PAYLOAD_TOO_LARGE", 413],
    ["FST_ERR_CTP_INVALID_MEDIA_TYPE", 415, "UNSUPPORTED_MEDIA_TYPE", 415],
    ["FST_JWT_NO_AUTHORIZATION_IN_HEADER", 401, "UNAUTHORIZED", 401],
    ["SOMETHING_ELSE", 429, "RATE_LIMITED", 429],
    ["FST_ERR_BAD_URL", 400, "VALIDATION_ERROR", 400],
  ])("maps %s (%i) to %s", (code, status, expected, expectedStatus) => {
    const mapped = toAppError(frameworkError(code, status));
    expect(mapped?.code).toBe(expected);
    expect(mapped?.status).toBe(expectedStatus);
  });

  it("hides framework 5xx and plain errors", () => {
    expect(toAppError(frameworkError("FST_ERR_SOMETHING", 500))).toBeNull();
    expect(toAppError(new TypeError("cannot read x of undefined"))).toBeNull();
    expect(toAppError("a string")).toBeNull();
  });
});

describe("error envelope through Fastify", () => {
  async function app() {
    const a = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>();
    a.setValidatorCompiler(TypeBoxValidatorCompiler);
    a.setErrorHandler(errorHandler);
    a.setNotFoundHandler(notFoundHandler);
    a.post(
      "/things",
      {
        schema: {
          body: Type.Object({
            name: Type.String({ minLength: 1 }),
            count: Type.Integer({ minimum: 1 }),
            phone: Type.Optional(Type.Union([Type.String(), Type.Null()])),
            kind: Type.Optional(Type.Enum(["a", "b"])),
          }),
        },
      },
      async () => ({ ok: true }),
    );
    a.get("/boom", async () => {
      throw new Error("secret connection string postgres://u:p@db");
    });
    a.get("/teapot", async () => {
      throw new AppError("PAYMENT_IN_PROGRESS", "A prompt is already on your phone", {
        transactionId: "pay_1",
      });
    });
    return a;
  }

  it("lists every bad field once, with where it was", async () => {
    const a = await app();
    const res = await a.inject({
      method: "POST",
      url: "/things",
      payload: { count: "3", phone: 7, kind: "c" },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.success).toBe(false);
    expect(body.error.code).toBe("VALIDATION_ERROR");
    expect(body.error.details.fields).toEqual([
      { field: "name", in: "body", message: "is required" },
      { field: "count", in: "body", message: "must be integer" },
      { field: "phone", in: "body", message: "must be string or null" },
      { field: "kind", in: "body", message: "must be equal to one of the allowed values: a, b" },
    ]);
  });

  it("answers an AppError with its status, code, message and details", async () => {
    const res = await (await app()).inject({ method: "GET", url: "/teapot" });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      success: false,
      error: {
        code: "PAYMENT_IN_PROGRESS",
        message: "A prompt is already on your phone",
        details: { transactionId: "pay_1" },
      },
    });
  });

  it("answers an unexpected error with 500 INTERNAL and no detail", async () => {
    const res = await (await app()).inject({ method: "GET", url: "/boom" });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe("INTERNAL");
    expect(res.body).not.toContain("postgres");
    expect(res.body).not.toContain("secret");
  });

  it("answers an unknown route with 404 NOT_FOUND", async () => {
    const res = await (await app()).inject({ method: "DELETE", url: "/nowhere?x=1" });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toEqual({ code: "NOT_FOUND", message: "No route DELETE /nowhere" });
  });
});

describe("clientErrorHandler", () => {
  /** A socket that records what is written to it. */
  function socket(state: { destroyed?: boolean } = {}) {
    const written: string[] = [];
    const fake = {
      destroyed: state.destroyed ?? false,
      writable: !state.destroyed,
      write: (text: string) => written.push(text),
      destroy: () => {
        fake.destroyed = true;
      },
    };
    return { fake: fake as unknown as Socket, written };
  }

  it.each([
    ["HPE_INVALID_METHOD", 400, "VALIDATION_ERROR"],
    ["HPE_HEADER_OVERFLOW", 431, "HEADERS_TOO_LARGE"],
    ["ERR_HTTP_REQUEST_TIMEOUT", 408, "REQUEST_TIMEOUT"],
  ])("answers %s with %i and the envelope, then closes", (code, status, expected) => {
    const { fake, written } = socket();
    clientErrorHandler(Object.assign(new Error("parse"), { code }), fake);
    const [head = "", body = ""] = (written[0] ?? "").split("\r\n\r\n");
    expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual({
      success: false,
      error: { code: expected, message: expect.any(String) },
    });
    expect(fake.destroyed).toBe(true);
  });

  it("writes nothing to a connection that is already gone", () => {
    const { fake, written } = socket({ destroyed: true });
    clientErrorHandler(Object.assign(new Error("reset"), { code: "ECONNRESET" }), fake);
    expect(written).toEqual([]);
  });
});
