/**
 * One HTTP exchange that gets no answer: for every operation in the operations table, a timeout or
 * a broken connection is `outcome_unknown` exactly when the operation may act once sent (a push, a
 * B2C payment, a reversal), and a plain retryable failure for the token and the queries. A refused
 * connection never reached Daraja: never an unknown outcome.
 */
import { describe, expect, it } from "vitest";
import type { DarajaOperation } from "../../../src/daraja/errors.ts";
import { DARAJA_OPERATIONS, mayActOnceSent } from "../../../src/daraja/operations.ts";
import { createTransport, type FetchLike } from "../../../src/daraja/transport.ts";
import { caught } from "../../support/daraja.ts";

const OPERATIONS = Object.keys(DARAJA_OPERATIONS) as DarajaOperation[];

function transportWith(fetch: FetchLike, timeoutMs = 20) {
  return createTransport({ baseUrl: "http://127.0.0.1:9", timeoutMs, fetch, limiter: null });
}

const request = { method: "POST" as const, path: "/x", headers: {}, body: () => ({}) };

const hang: FetchLike = (_url, init) =>
  new Promise((_, reject) => {
    init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
  });

const failWith =
  (code: string): FetchLike =>
  async () => {
    throw Object.assign(new TypeError("fetch failed"), { cause: { code } });
  };

describe("the transport without an answer", () => {
  it("agrees with the table: queries and the token are retried, the rest may act once sent", () => {
    expect(OPERATIONS.filter(mayActOnceSent)).toEqual(["stk_push", "b2c_payment", "reversal"]);
  });

  it.each(OPERATIONS)("%s: a timeout", async (operation) => {
    const error = await caught(transportWith(hang).send(operation, request));
    if (mayActOnceSent(operation))
      expect(error).toMatchObject({ kind: "outcome_unknown", underlying: "timeout", retryable: false });
    else expect(error).toMatchObject({ kind: "timeout", retryable: true });
    expect(error.operation).toBe(operation);
  });

  it.each(OPERATIONS)("%s: a connection broken after sending", async (operation) => {
    const error = await caught(transportWith(failWith("ECONNRESET")).send(operation, request));
    if (mayActOnceSent(operation))
      expect(error).toMatchObject({ kind: "outcome_unknown", underlying: "network", retryable: false });
    else expect(error).toMatchObject({ kind: "network", retryable: true });
  });

  it.each(OPERATIONS)("%s: a refused connection never reached Daraja", async (operation) => {
    const error = await caught(transportWith(failWith("ECONNREFUSED")).send(operation, request));
    expect(error).toMatchObject({ kind: "network", retryable: true });
  });
});
