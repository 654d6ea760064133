/**
 * docs/webhooks.md says what Malipo really sends: its example request verifies with the reference
 * library and with the plain-HMAC steps it gives, its catalogue lists every event type once with an
 * example body equal to what "send test event" sends, and the retry schedule it states is ours.
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import { DEFAULT_BACKOFF, schedule } from "../../../src/webhooks/backoff.ts";
import { WEBHOOK_EVENT_TYPES, WEBHOOK_EVENTS } from "../../../src/webhooks/catalogue.ts";
import { exampleData } from "../../../src/webhooks/examples.ts";

const DOC = readFileSync(fileURLToPath(new URL("../../../docs/webhooks.md", import.meta.url)), "utf8");

function exampleRequest() {
  const block = /```http\n([\s\S]*?)```/.exec(DOC)?.[1] ?? "";
  const [head = "", body = ""] = block.split("\n\n");
  const headers = Object.fromEntries(
    head
      .split("\n")
      .slice(1)
      .map((line) => line.split(": ") as [string, string]),
  );
  const secret = /example secret `(whsec_[^`]+)`/.exec(DOC)?.[1] ?? "";
  return { headers, body: body.trim(), secret };
}

describe("the example request", () => {
  it("verifies with the library at its timestamp", () => {
    const { headers, body, secret } = exampleRequest();
    vi.useFakeTimers({ toFake: ["Date"], now: Number(headers["webhook-timestamp"]) * 1000 });
    try {
      expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    } finally {
      vi.useRealTimers();
    }
    expect(JSON.parse(body)).toMatchObject({
      type: "payment.completed",
      data: exampleData("payment.completed"),
    });
  });

  it("verifies by the plain-HMAC steps", () => {
    const { headers, body, secret } = exampleRequest();
    const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
    const signed = `${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`;
    const expected = createHmac("sha256", key).update(signed).digest("base64");
    expect(headers["webhook-signature"]).toBe(`v1,${expected}`);
  });
});

describe("the catalogue", () => {
  const sections = [...DOC.matchAll(/### `([a-z_.]+)`\n\n(.+)\n\n```json\n([\s\S]*?)```/g)].map((m) => ({
    type: m[1] as string,
    meaning: m[2] as string,
    body: JSON.parse(m[3] as string),
  }));

  it("lists every event type once, in the catalogue's order, with its meaning", () => {
    expect(sections.map((s) => s.type)).toEqual([...WEBHOOK_EVENT_TYPES]);
    for (const s of sections)
      expect(s.meaning).toBe(`${WEBHOOK_EVENTS[s.type as keyof typeof WEBHOOK_EVENTS]}.`);
  });

  it("shows for each the body a test event of that type carries", () => {
    for (const s of sections) {
      expect(Object.keys(s.body)).toEqual(["id", "type", "createdAt", "data"]);
      expect(s.body.type).toBe(s.type);
      expect(s.body.data).toEqual(exampleData(s.type as (typeof WEBHOOK_EVENT_TYPES)[number]));
    }
  });
});

describe("the retry schedule", () => {
  it("is the one the worker uses", () => {
    const times = schedule(DEFAULT_BACKOFF);
    expect(DOC).toContain(`for 3 days from the event\n(${times.length} attempts in all)`);
    const minutes = times.slice(1, 8).map((ms) => ms / 60_000);
    expect(DOC).toContain(`0, 30 s, ${minutes.slice(1).join(", ")} minutes`);
    expect(minutes[0]).toBe(0.5);
  });
});
