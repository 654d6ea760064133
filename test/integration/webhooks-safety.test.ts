/**
 * What a delivery refuses to do, on both engines: contact a loopback or private address unless
 * WEBHOOKS_ALLOW_PRIVATE (nothing is sent; the attempt is logged as refused), follow a redirect
 * (the endpoint's own answer counts, the other server hears nothing); and secret rotation: during
 * the overlap both secrets verify, afterwards only the new one.
 */
import { WebhookVerificationError } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.ts";
import { bearer, createAdmin, type RegisteredUser, startTestApp, type TestApp } from "../support/app.ts";
import {
  addEndpoint,
  attemptsOf,
  deleteAllEndpoints,
  type Receiver,
  startReceiver,
  testWorker,
  verifyAsReceiver,
} from "../support/webhooks.ts";

let t: TestApp;
let admin: RegisteredUser;
const clock = new ManualClock(new Date());
const receivers: Receiver[] = [];

beforeAll(async () => {
  t = await startTestApp({ clock });
  admin = await createAdmin(t);
});
afterAll(async () => {
  await t?.close();
});
afterEach(async () => {
  await deleteAllEndpoints(t.db.db);
  for (const r of receivers.splice(0)) await r.close();
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

const post = (url: string, payload?: object) =>
  t.app.inject({
    method: "POST",
    url: `/api/v1/admin/webhooks${url}`,
    headers: bearer(admin.token),
    ...(payload ? { payload } : {}),
  });

async function sendTest(endpointId: string): Promise<string> {
  const res = await post(`/endpoints/${endpointId}/test`);
  expect(res.statusCode).toBe(202);
  return res.json().data.delivery.id;
}

describe("private addresses", () => {
  it("are refused at delivery without WEBHOOKS_ALLOW_PRIVATE: nothing is sent, the attempt is logged", async () => {
    const r = await receiver();
    const https = r.url.replace("http:", "https:");
    const urls = [
      https,
      https.replace("127.0.0.1", "localhost"),
      https.replace("127.0.0.1", "[::ffff:127.0.0.1]"),
      r.url,
    ];
    // Registered while private addresses were allowed (a configuration changed since).
    const ids: string[] = [];
    for (const url of urls)
      ids.push(await sendTest((await addEndpoint(t, admin.token, { url })).endpoint.id));
    const strict = testWorker({ db: t.db.db, clock, allowPrivate: false });
    expect(await strict.runOnce()).toMatchObject({ claimed: 4, retrying: 4, delivered: 0 });
    expect(r.received).toEqual([]);
    const logs = await Promise.all(ids.map((id) => attemptsOf(t.db.db, id)));
    expect(logs.map((log) => [log.length, log[0]?.outcome, log[0]?.status_code])).toEqual(
      Array(4).fill([1, "refused", null]),
    );
    expect(logs.map((log) => log[0]?.error)).toEqual([
      "the endpoint URL 127.0.0.1 is not a public address",
      "the endpoint URL localhost is a local or internal name",
      "the endpoint URL ::ffff:7f00:1 is not a public address",
      "the endpoint URL must be https:// (plain http only when WEBHOOKS_ALLOW_PRIVATE=true)",
    ]);
  });

  it("cannot be registered without WEBHOOKS_ALLOW_PRIVATE", async () => {
    const strict = await startTestApp({ clock, config: { WEBHOOKS_ALLOW_PRIVATE: "false" } });
    try {
      const boss = await createAdmin(strict);
      for (const url of [
        "https://127.0.0.1/hook",
        "https://10.0.0.8/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://metadata.google.internal/hook",
        "http://93.184.215.14/hook",
      ]) {
        const res = await strict.app.inject({
          method: "POST",
          url: "/api/v1/admin/webhooks/endpoints",
          headers: bearer(boss.token),
          payload: { url },
        });
        expect({ url, status: res.statusCode, code: res.json().error?.code }).toEqual({
          url,
          status: 400,
          code: "WEBHOOK_URL_NOT_ALLOWED",
        });
      }
      expect(await strict.db.db.kysely.selectFrom("webhook_endpoints").select("id").execute()).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});

describe("redirects", () => {
  it("are not followed: a 3xx is a failed attempt and the other server hears nothing", async () => {
    const elsewhere = await receiver();
    const r = await receiver({ status: 307, headers: { location: elsewhere.url }, body: "moved" });
    const { endpoint } = await addEndpoint(t, admin.token, { url: r.url });
    const id = await sendTest(endpoint.id);
    expect(await testWorker({ db: t.db.db, clock }).runOnce()).toMatchObject({ retrying: 1 });
    expect(r.received).toHaveLength(1);
    expect(elsewhere.received).toEqual([]);
    expect((await attemptsOf(t.db.db, id))[0]).toMatchObject({
      outcome: "http_error",
      status_code: 307,
      response_excerpt: "moved",
    });
  });
});

describe("rotating the secret", () => {
  it("signs with both secrets during the overlap, then with the new one only", async () => {
    const r = await receiver();
    const { endpoint, secret: old } = await addEndpoint(t, admin.token, { url: r.url });
    const rotated = await post(`/endpoints/${endpoint.id}/rotate-secret`, { overlapSeconds: 3_600 });
    expect(rotated.statusCode).toBe(200);
    const fresh = rotated.json().data.secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old);
    expect(rotated.json().data.endpoint.previousSecretExpiresAt).toBe(
      new Date(clock.now().getTime() + 3_600_000).toISOString(),
    );
    const worker = testWorker({ db: t.db.db, clock });

    await sendTest(endpoint.id);
    await worker.runOnce();
    const during = r.received[0] as NonNullable<(typeof r.received)[0]>;
    expect(String(during.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(verifyAsReceiver(fresh, during, clock.now())).toBeTruthy();
    expect(verifyAsReceiver(old, during, clock.now())).toBeTruthy();

    clock.advance(3_600_000);
    await sendTest(endpoint.id);
    await worker.runOnce();
    const after = r.received[1] as NonNullable<(typeof r.received)[1]>;
    expect(String(after.headers["webhook-signature"]).split(" ")).toHaveLength(1);
    expect(verifyAsReceiver(fresh, after, clock.now())).toBeTruthy();
    expect(() => verifyAsReceiver(old, after, clock.now())).toThrow(WebhookVerificationError);
    const read = await t.app.inject({
      method: "GET",
      url: `/api/v1/admin/webhooks/endpoints/${endpoint.id}`,
      headers: bearer(admin.token),
    });
    expect(read.json().data.endpoint.previousSecretExpiresAt).toBeNull();
  });

  it("with no overlap, the old secret stops signing at once", async () => {
    const r = await receiver();
    const { endpoint, secret: old } = await addEndpoint(t, admin.token, { url: r.url });
    const fresh = (await post(`/endpoints/${endpoint.id}/rotate-secret`, { overlapSeconds: 0 })).json().data
      .secret;
    await sendTest(endpoint.id);
    await testWorker({ db: t.db.db, clock }).runOnce();
    const request = r.received[0] as NonNullable<(typeof r.received)[0]>;
    expect(verifyAsReceiver(fresh, request, clock.now())).toBeTruthy();
    expect(() => verifyAsReceiver(old, request, clock.now())).toThrow(WebhookVerificationError);
  });
});
