/**
 * Signing as Standard Webhooks defines it, checked with the reference library (its verify) and by
 * plain HMAC-SHA256 (what docs/webhooks.md tells other languages to do); secrets `whsec_…`; during a
 * rotation both secrets sign and either verifies.
 */
import { createHmac } from "node:crypto";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { generateSecret, isSecret, signatureHeaders, validSecrets } from "../../../src/webhooks/signing.ts";

const BODY = '{"id":"evt_1","type":"payment.completed","createdAt":"2026-01-15T09:00:00.000Z","data":{}}';

describe("secrets", () => {
  it("are whsec_ and 24 random bytes in base64, never the same twice", () => {
    const secrets = new Set(Array.from({ length: 50 }, generateSecret));
    expect(secrets.size).toBe(50);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(24);
      expect(isSecret(secret)).toBe(true);
    }
    for (const bad of [
      "",
      "whsec_",
      "whsec_abc",
      "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
      "whsec_!!!!!!!!!!!!!!!!!!!!!!!!",
    ])
      expect(isSecret(bad)).toBe(false);
  });
});

describe("the signature headers", () => {
  it("verify with the reference library, at the attempt's timestamp in whole seconds", () => {
    const secret = generateSecret();
    const at = new Date();
    const headers = signatureHeaders({ id: "evt_1", at, body: BODY, secrets: [secret] });
    expect(headers["webhook-id"]).toBe("evt_1");
    expect(headers["webhook-timestamp"]).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(BODY, { ...headers })).toEqual(JSON.parse(BODY));
  });

  it("are HMAC-SHA256 of id.timestamp.body under the base64-decoded secret", () => {
    const secret = generateSecret();
    const headers = signatureHeaders({ id: "evt_2", at: new Date(), body: BODY, secrets: [secret] });
    const key = Buffer.from(secret.slice("whsec_".length), "base64");
    const expected = createHmac("sha256", key)
      .update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${BODY}`)
      .digest("base64");
    expect(headers["webhook-signature"]).toBe(`v1,${expected}`);
  });

  it("carry one signature per valid secret, so either verifies during a rotation", () => {
    const [current, previous, stranger] = [generateSecret(), generateSecret(), generateSecret()];
    const headers = signatureHeaders({
      id: "evt_3",
      at: new Date(),
      body: BODY,
      secrets: [current, previous],
    });
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new Webhook(current).verify(BODY, { ...headers })).toBeTruthy();
    expect(new Webhook(previous).verify(BODY, { ...headers })).toBeTruthy();
    expect(() => new Webhook(stranger).verify(BODY, { ...headers })).toThrow(WebhookVerificationError);
  });

  it("do not verify a changed body, id or timestamp", () => {
    const secret = generateSecret();
    const headers = signatureHeaders({ id: "evt_4", at: new Date(), body: BODY, secrets: [secret] });
    const wh = new Webhook(secret);
    expect(() => wh.verify(BODY.replace("evt_1", "evt_9"), { ...headers })).toThrow(WebhookVerificationError);
    expect(() => wh.verify(BODY, { ...headers, "webhook-id": "evt_5" })).toThrow(WebhookVerificationError);
    const later = String(Number(headers["webhook-timestamp"]) + 1);
    expect(() => wh.verify(BODY, { ...headers, "webhook-timestamp": later })).toThrow(
      WebhookVerificationError,
    );
  });

  it("refuse to sign with no secret at all", () => {
    expect(() => signatureHeaders({ id: "evt_6", at: new Date(), body: BODY, secrets: [] })).toThrow(
      /secret/,
    );
  });
});

describe("the secrets that sign now", () => {
  const endpoint = {
    secret: "whsec_new",
    previous_secret: "whsec_old",
    previous_secret_expires_at: "2026-01-16T09:00:00.000Z",
  };

  it("are the current one first and the previous one until its overlap ends", () => {
    expect(validSecrets(endpoint, new Date("2026-01-16T08:59:59.999Z"))).toEqual(["whsec_new", "whsec_old"]);
    expect(validSecrets(endpoint, new Date("2026-01-16T09:00:00.000Z"))).toEqual(["whsec_new"]);
    expect(
      validSecrets({ ...endpoint, previous_secret: null, previous_secret_expires_at: null }, new Date()),
    ).toEqual(["whsec_new"]);
  });
});
