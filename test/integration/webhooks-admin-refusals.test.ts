/**
 * Every refusal of the admin webhook routes, on both engines: no session, not an admin, bad URL or
 * event type, unknown ids, bad bodies, a disabled endpoint; each with its code, changing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.ts";
import type { ErrorCode } from "../../src/errors.ts";
import {
  bearer,
  createAdmin,
  expectError,
  type RegisteredUser,
  registerUser,
  startTestApp,
  type TestApp,
} from "../support/app.ts";
import { addEndpoint } from "../support/webhooks.ts";

let t: TestApp;
let admin: RegisteredUser;
let customer: RegisteredUser;
const clock = new ManualClock(new Date());
const BASE = "/api/v1/admin/webhooks";

beforeAll(async () => {
  t = await startTestApp({ clock });
  admin = await createAdmin(t);
  customer = await registerUser(t.app);
});
afterAll(async () => {
  await t?.close();
});

type Method = "GET" | "POST" | "PATCH" | "DELETE";
const call = (method: Method, url: string, payload?: unknown, token: string | null = admin.token) =>
  t.app.inject({
    method,
    url: `${BASE}${url}`,
    headers: token === null ? {} : bearer(token),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

const tables = async () => {
  const k = t.db.db.kysely;
  return {
    endpoints: await k.selectFrom("webhook_endpoints").selectAll().orderBy("id").execute(),
    events: await k.selectFrom("webhook_events").select("id").orderBy("id").execute(),
    deliveries: await k.selectFrom("webhook_deliveries").selectAll().orderBy("id").execute(),
  };
};

describe("refusals change nothing", () => {
  it("no session, not an admin, unknown ids, bad bodies, bad URLs and event types, a disabled endpoint", async () => {
    const { endpoint } = await addEndpoint(t, admin.token, { url: "http://127.0.0.1:9/keep" });
    const off = await addEndpoint(t, admin.token, { url: "http://127.0.0.1:9/off", enabled: false });
    const before = await tables();
    const cases: Array<[Method, string, unknown, string | null, number, ErrorCode]> = [
      ["GET", "/endpoints", undefined, null, 401, "UNAUTHORIZED"],
      ["POST", "/endpoints", { url: "https://x.example.com" }, null, 401, "UNAUTHORIZED"],
      ["GET", "/endpoints", undefined, customer.token, 403, "FORBIDDEN"],
      ["POST", `/endpoints/${endpoint.id}/rotate-secret`, undefined, customer.token, 403, "FORBIDDEN"],
      ["DELETE", `/endpoints/${endpoint.id}`, undefined, customer.token, 403, "FORBIDDEN"],
      ["POST", `/deliveries/whd_x/resend`, undefined, customer.token, 403, "FORBIDDEN"],
      ["GET", "/endpoints/whe_missing", undefined, admin.token, 404, "WEBHOOK_ENDPOINT_NOT_FOUND"],
      ["PATCH", "/endpoints/whe_missing", { enabled: true }, admin.token, 404, "WEBHOOK_ENDPOINT_NOT_FOUND"],
      ["POST", "/endpoints/whe_missing/rotate-secret", {}, admin.token, 404, "WEBHOOK_ENDPOINT_NOT_FOUND"],
      ["GET", "/endpoints/whe_missing/deliveries", undefined, admin.token, 404, "WEBHOOK_ENDPOINT_NOT_FOUND"],
      ["POST", "/endpoints/whe_missing/test", {}, admin.token, 404, "WEBHOOK_ENDPOINT_NOT_FOUND"],
      [
        "POST",
        "/endpoints/whe_missing/resend-failed",
        { since: "2026-01-01" },
        admin.token,
        404,
        "WEBHOOK_ENDPOINT_NOT_FOUND",
      ],
      ["POST", "/deliveries/whd_missing/resend", undefined, admin.token, 404, "WEBHOOK_DELIVERY_NOT_FOUND"],
      ["GET", "/endpoints/bad%20id", undefined, admin.token, 400, "VALIDATION_ERROR"],
      [
        "POST",
        "/endpoints",
        { url: "ftp://hooks.example.com/" },
        admin.token,
        400,
        "WEBHOOK_URL_NOT_ALLOWED",
      ],
      ["POST", "/endpoints", { url: "not a url" }, admin.token, 400, "WEBHOOK_URL_NOT_ALLOWED"],
      [
        "POST",
        "/endpoints",
        { url: "https://u:p@hooks.example.com/" },
        admin.token,
        400,
        "WEBHOOK_URL_NOT_ALLOWED",
      ],
      ["POST", "/endpoints", {}, admin.token, 400, "VALIDATION_ERROR"],
      [
        "POST",
        "/endpoints",
        { url: "https://x.example.com", eventTypes: [] },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "POST",
        "/endpoints",
        { url: "https://x.example.com", eventTypes: ["payment.paid"] },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "POST",
        "/endpoints",
        { url: "https://x.example.com", eventTypes: ["payout.failed", "payout.failed"] },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "POST",
        "/endpoints",
        { url: "https://x.example.com", secret: "whsec_mine" },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "POST",
        "/endpoints",
        { url: "https://x.example.com", description: "d".repeat(201) },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      ["PATCH", `/endpoints/${endpoint.id}`, {}, admin.token, 400, "VALIDATION_ERROR"],
      [
        "PATCH",
        `/endpoints/${endpoint.id}`,
        { url: "gopher://x" },
        admin.token,
        400,
        "WEBHOOK_URL_NOT_ALLOWED",
      ],
      ["PATCH", `/endpoints/${endpoint.id}`, { enabled: "yes" }, admin.token, 400, "VALIDATION_ERROR"],
      [
        "POST",
        `/endpoints/${endpoint.id}/rotate-secret`,
        { overlapSeconds: -1 },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "POST",
        `/endpoints/${endpoint.id}/test`,
        { type: "payment.paid" },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      ["POST", `/endpoints/${off.endpoint.id}/test`, {}, admin.token, 409, "WEBHOOK_ENDPOINT_DISABLED"],
      ["POST", `/endpoints/${endpoint.id}/resend-failed`, {}, admin.token, 400, "VALIDATION_ERROR"],
      [
        "POST",
        `/endpoints/${endpoint.id}/resend-failed`,
        { since: "yesterday!" },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "POST",
        `/endpoints/${endpoint.id}/resend-failed`,
        { since: "2026-13-45T99:00" },
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "GET",
        `/endpoints/${endpoint.id}/deliveries?status=lost`,
        undefined,
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
      [
        "GET",
        `/endpoints/${endpoint.id}/deliveries?limit=1000`,
        undefined,
        admin.token,
        400,
        "VALIDATION_ERROR",
      ],
    ];
    for (const [method, url, payload, token, status, code] of cases) {
      const res = await call(method, url, payload, token);
      expect({ method, url, status: res.statusCode, code: res.json().error?.code }).toEqual({
        method,
        url,
        status,
        code,
      });
      expectError(res, status, code);
    }
    expect(await tables()).toEqual(before);
  });
});
