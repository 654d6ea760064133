import { describe, expect, it } from "vitest";
import { errorFromResponse, invalidFieldOf, readResponseBody } from "../../../src/daraja/error-response.ts";
import {
  type DarajaErrorKind,
  type DarajaOperation,
  sanitizeRemoteText,
} from "../../../src/daraja/errors.ts";
import { fixtureText } from "./support.ts";

const envelopeText = (errorCode: string, errorMessage: string, requestId = "5031-1921185-1") =>
  JSON.stringify({ requestId, errorCode, errorMessage });

const respond = (
  operation: DarajaOperation,
  status: number,
  text: string,
  contentType = "application/json",
) => errorFromResponse(operation, { status, text, contentType });

describe("error envelope → kind (reference §3 catalogue)", () => {
  it.each<[string, string, number, DarajaErrorKind, boolean]>([
    ["400.002.02", "Bad Request - Invalid PhoneNumber", 400, "validation", false],
    ["400.002.02", "Bad Request - Invalid Remarks", 400, "validation", false],
    ["400.002.05", "Invalid Request Payload", 400, "validation", false],
    ["400.003.01", "Invalid Access Token", 400, "authentication", false],
    ["400.003.02", "Bad Request - Kindly use your own ShortCode", 400, "validation", false],
    ["400.008.01", "Invalid Authentication passed", 400, "authentication", false],
    ["400.008.02", "Invalid grant type passed", 400, "authentication", false],
    ["401.002.01", "Error Occurred - Invalid Access Token - XXX", 401, "authentication", false],
    [
      "401.003.01",
      "Error Occurred - Invalid Access Token - Invalid API call as no apiproduct match found",
      401,
      "authentication",
      false,
    ],
    ["404.001.01", "Resource not found", 404, "rejected", false],
    ["404.001.03", "Invalid Access Token", 404, "authentication", false],
    ["404.001.04", "Invalid Authentication Header", 404, "authentication", false],
    ["405.001", "Method Not Allowed", 405, "rejected", false],
    ["500.001.1001", "Wrong credentials", 500, "wrong_credentials", false],
    ["500.001.1001", "[MerchantValidate] - Wrong credentials", 500, "wrong_credentials", false],
    ["500.001.1001", "Merchant does not exist", 500, "merchant_not_found", false],
    [
      "500.001.1001",
      "Unable to lock subscriber, a transaction is already in process for the current subscriber",
      500,
      "subscriber_locked",
      true,
    ],
    ["500.001.1001", "Something new", 500, "server", true],
    ["500.002.1001", "System internal error.", 500, "server", true],
    ["500.003.02", "System is busy. Please try again in few minutes.", 500, "rate_limited", true],
    ["500.003.02", "Error Occurred: Spike Arrest Violation", 500, "rate_limited", true],
    ["500.003.03", "Quota Violation", 500, "rate_limited", true],
    ["500.003.1001", "Service is currently unreachable. Please try again later.", 500, "server", true],
    ["00.002.1001", "Service is currently under maintenance. Please try again later", 500, "server", true],
  ])("%s %s (HTTP %i) → %s", (code, message, status, kind, retryable) => {
    for (const operation of ["token", "stk_push", "stk_query"] as const) {
      const error = respond(operation, status, envelopeText(code, message));
      // A push that failed with a plain server error may still have created a prompt.
      const unknown = operation === "stk_push" && kind === "server";
      expect(error.kind).toBe(unknown ? "outcome_unknown" : kind);
      expect(error.retryable).toBe(unknown ? false : retryable);
      expect(error).toMatchObject({
        operation,
        errorCode: code,
        requestId: "5031-1921185-1",
        httpStatus: status,
      });
      expect(error.local).toBe(false);
    }
  });

  it("names the field Daraja refused", () => {
    expect(
      respond("stk_push", 400, envelopeText("400.002.02", "Bad Request - Invalid PhoneNumber")).field,
    ).toBe("PhoneNumber");
    expect(respond("stk_push", 400, envelopeText("400.002.02", "Bad Request - Invalid Remarks")).field).toBe(
      "Remarks",
    );
    expect(invalidFieldOf("Bad Request - Invalid CallBackURL")).toBe("CallBackURL");
    expect(invalidFieldOf("Invalid Request Payload")).toBeNull();
    expect(invalidFieldOf("Method Not Allowed")).toBeNull();
    expect(invalidFieldOf(null)).toBeNull();
  });

  it("keys off errorCode, not the HTTP status (SDK mocks send 400.002.02 as HTTP 500 and worse)", () => {
    expect(respond("stk_push", 500, envelopeText("400.002.02", "Bad Request - Invalid Amount")).kind).toBe(
      "validation",
    );
    expect(respond("stk_push", 200, envelopeText("500.003.02", "Spike Arrest Violation")).kind).toBe(
      "rate_limited",
    );
  });

  it("subscriber_locked says to wait a minute", () => {
    const error = respond(
      "stk_push",
      500,
      envelopeText("500.001.1001", "Unable to lock subscriber, a transaction is already in process"),
    );
    expect(error.retryAfterMs).toBe(60_000);
  });
});

describe("bodies without an envelope", () => {
  const html = "<!DOCTYPE html><html><head><title>502</title></head><body>Bad gateway</body></html>";

  it.each<[string, number, string, DarajaOperation, DarajaErrorKind, DarajaErrorKind | null]>([
    ["empty 500 on a query", 500, "", "stk_query", "server", null],
    ["empty 500 on the token", 500, "", "token", "server", null],
    ["empty 500 on a push", 500, "", "stk_push", "outcome_unknown", "server"],
    ["HTML 502 on a push", 502, html, "stk_push", "outcome_unknown", "server"],
    ["HTML 502 on a query", 502, html, "stk_query", "server", null],
    [
      "JSON without envelope, 503, push",
      503,
      '{"message":"upstream"}',
      "stk_push",
      "outcome_unknown",
      "server",
    ],
    ["HTML 200 on a push", 200, html, "stk_push", "outcome_unknown", "unexpected_response"],
    ["HTML 200 on a query", 200, html, "stk_query", "unexpected_response", null],
    ["empty 400 on the token (wrong key/secret)", 400, "", "token", "authentication", null],
    ["empty 400 on a push", 400, "", "stk_push", "rejected", null],
    ["plain text 404 on a push", 404, "Not Found", "stk_push", "rejected", null],
    ["empty 401 on a push", 401, "", "stk_push", "authentication", null],
    ["empty 429 on a query", 429, "", "stk_query", "rate_limited", null],
  ])("%s", (_, status, text, operation, kind, underlying) => {
    const error = respond(operation, status, text, text.startsWith("<") ? "text/html" : "");
    expect(error.kind).toBe(kind);
    expect(error.underlying).toBe(underlying);
    expect(error.httpStatus).toBe(status);
    expect(error.errorCode).toBeNull();
    if (kind === "outcome_unknown") expect(error.retryable).toBe(false);
    expect(error.message).not.toContain("Bad gateway");
  });

  it("an Apigee SOAP-style fault keeps its fault code and maps by status", () => {
    const text = fixtureText("c2b-register-error-apigee-fault-409.json");
    expect(readResponseBody(text).shape).toBe("apigee_fault");
    const error = respond("stk_query", 409, text);
    expect(error).toMatchObject({ kind: "rejected", errorCode: "steps.servicecallout.ExecutionFailed" });
    expect(error.errorMessage).toMatch(/ServiceCallout/);
  });

  it.each<[string, number, DarajaErrorKind]>([
    ["policies.ratelimit.SpikeArrestViolation", 500, "rate_limited"],
    ["policies.ratelimit.QuotaViolation", 429, "rate_limited"],
    ["keymanagement.service.invalid_access_token", 401, "authentication"],
    ["messaging.adaptors.http.flow.GatewayTimeout", 504, "server"],
  ])("Apigee fault %s → %s", (errorcode, status, kind) => {
    const text = JSON.stringify({ fault: { faultstring: "gateway said no", detail: { errorcode } } });
    const error = respond("stk_query", status, text);
    expect(error.kind).toBe(kind);
    expect(error.errorCode).toBe(errorcode);
  });

  it("an Apigee 5xx fault on a push leaves the outcome unknown", () => {
    const text = JSON.stringify({
      fault: { faultstring: "timeout", detail: { errorcode: "gateway.Timeout" } },
    });
    expect(respond("stk_push", 504, text)).toMatchObject({ kind: "outcome_unknown", underlying: "server" });
  });
});

describe("a push answered 5xx in the standard envelope (issue 7)", () => {
  it.each([
    ["500.003.1001", "Internal Server Error"],
    ["500.003.1001", "Service is currently unreachable. Please try again later."],
    ["500.001.1001", "Something new"],
    ["500.002.1001", "System internal error."],
    ["00.002.1001", "Service is currently under maintenance. Please try again later"],
  ])("%s %s does not prove that no prompt was created: outcome unknown", (code, message) => {
    expect(respond("stk_push", 500, envelopeText(code, message))).toMatchObject({
      kind: "outcome_unknown",
      underlying: "server",
      errorCode: code,
      retryable: false,
    });
  });

  it.each<[string, string, DarajaErrorKind]>([
    ["500.003.02", "Error Occurred: Spike Arrest Violation", "rate_limited"],
    ["500.003.03", "Quota Violation", "rate_limited"],
    ["500.001.1001", "Wrong credentials", "wrong_credentials"],
    ["500.001.1001", "Merchant does not exist", "merchant_not_found"],
    [
      "500.001.1001",
      "Unable to lock subscriber, a transaction is already in process for the current subscriber",
      "subscriber_locked",
    ],
  ])("%s %s proves it was refused: %s", (code, message, kind) => {
    expect(respond("stk_push", 500, envelopeText(code, message)).kind).toBe(kind);
  });
});

describe("sanitizeRemoteText", () => {
  it("redacts echoed tokens, masks phones, cuts long texts", () => {
    expect(sanitizeRemoteText("Error Occurred - Invalid Access Token - BJGFGOXv5aZnw90KkA4TDtu4Xdyf")).toBe(
      "Error Occurred - Invalid Access Token - [redacted]",
    );
    expect(
      sanitizeRemoteText(
        "Error Occurred - Invalid Access Token - Invalid API call as no apiproduct match found",
      ),
    ).toContain("Invalid API call");
    expect(sanitizeRemoteText("subscriber 254708374149 locked")).toBe("subscriber 2547****4149 locked");
    expect(sanitizeRemoteText("x".repeat(1000)).length).toBeLessThanOrEqual(301);
  });
});
