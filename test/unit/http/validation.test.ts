import { Type } from "@fastify/type-provider-typebox";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { errorHandler } from "../../../src/http/errors.ts";
import { validatorCompiler } from "../../../src/http/validation.ts";

async function app() {
  const a = Fastify({ logger: false });
  a.setValidatorCompiler(validatorCompiler);
  a.setErrorHandler(errorHandler);
  a.get(
    "/items/:n",
    {
      schema: {
        params: Type.Object({ n: Type.Integer({ minimum: 1 }) }),
        querystring: Type.Object({
          page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
          q: Type.Optional(Type.String()),
        }),
      },
    },
    async (request) => ({ params: request.params, query: request.query }),
  );
  a.post("/items", { schema: { body: Type.Object({ amount: Type.Integer() }) } }, async (request) => ({
    body: request.body,
  }));
  return a;
}

describe("validatorCompiler", () => {
  it("converts whole numbers in the query and path", async () => {
    const a = await app();
    const res = await a.inject({ method: "GET", url: "/items/7?page=3&q=x" });
    expect(res.json()).toEqual({ params: { n: 7 }, query: { page: 3, q: "x" } });
    // Absent stays absent (routes apply their defaults).
    expect((await a.inject({ method: "GET", url: "/items/7" })).json().query).toEqual({});
  });

  it.each(["1.5", "1e3", "0x10", "", " 2", "abc", "1&page=2"])(
    "refuses page=%s instead of truncating or reinterpreting it",
    async (value) => {
      const a = await app();
      const res = await a.inject({ method: "GET", url: `/items/7?page=${value}` });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: "VALIDATION_ERROR",
        details: { fields: [{ field: "page", in: "querystring", message: "must be a whole number" }] },
      });
    },
  );

  it("refuses a path integer that is not one", async () => {
    const a = await app();
    const res = await a.inject({ method: "GET", url: "/items/2.5" });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.fields[0]).toMatchObject({ field: "n", in: "params" });
  });

  it("leaves bodies to TypeBox as sent: a number is a number, a string is not", async () => {
    const a = await app();
    expect((await a.inject({ method: "POST", url: "/items", payload: { amount: 500 } })).statusCode).toBe(
      200,
    );
    expect((await a.inject({ method: "POST", url: "/items", payload: { amount: "500" } })).statusCode).toBe(
      400,
    );
  });
});
