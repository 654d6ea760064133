/**
 * Webhooks in tests: a real receiver (node:http on 127.0.0.1) whose answers the test scripts, the
 * admin route that adds an endpoint, a delivery worker with short timeouts and a fixed, small
 * backoff (so no test waits for a real retry), and readers of what the outbox and the log hold.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Webhook } from "standardwebhooks";
import { vi } from "vitest";
import type { Clock } from "../../src/clock.ts";
import type { Db } from "../../src/db/database.ts";
import { createLogger } from "../../src/logger.ts";
import type { Metrics } from "../../src/metrics.ts";
import type { BackoffPolicy } from "../../src/webhooks/backoff.ts";
import type { EndpointView } from "../../src/webhooks/webhook-view.ts";
import { createDeliveryWorker, type DeliveryWorker } from "../../src/webhooks/worker.ts";
import { bearer, createAdmin, type TestApp } from "./app.ts";

/** What the receiver does with one request: answer with a status (and body), or never answer. */
export type Answer = { status: number; body?: string; headers?: Record<string, string> } | "hang";

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  answer: Answer;
}

export interface Receiver {
  url: string;
  /** Every request, in arrival order (hung ones included). */
  received: ReceivedRequest[];
  /** Answers for the next requests, in order; afterwards `fallback`. */
  script(...answers: Answer[]): void;
  fallback: Answer;
  /** Resolves once `n` requests have arrived (without moving any clock). */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(fallback: Answer = { status: 200, body: "ok" }): Promise<Receiver> {
  const queue: Answer[] = [];
  const received: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const hung: ServerResponse[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const answer = queue.shift() ?? receiver.fallback;
      received.push({
        path: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        answer,
      });
      for (const wake of waiters.splice(0)) wake();
      if (answer === "hang") return void hung.push(response);
      response.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers });
      response.end(answer.body ?? "");
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hooks/malipo`,
    received,
    fallback,
    script(...answers) {
      queue.push(...answers);
    },
    async waitFor(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`the receiver got ${received.length} requests, not ${n}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50).unref();
        });
      }
    },
    async close() {
      for (const response of hung) response.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

/** A small schedule for tests: 1 s, 2 s, 4 s… up to 8 s apart, for one minute, no jitter. */
export const TEST_BACKOFF: BackoffPolicy = {
  baseDelayMs: 1_000,
  maxDelayMs: 8_000,
  maxAgeMs: 60_000,
  jitter: 0,
};

export function testWorker(options: {
  db: Db;
  clock: Clock;
  metrics?: Metrics;
  timeoutMs?: number;
  allowPrivate?: boolean;
  policy?: BackoffPolicy;
  batchSize?: number;
}): DeliveryWorker {
  return createDeliveryWorker({
    db: options.db,
    clock: options.clock,
    logger: createLogger("silent"),
    metrics: options.metrics,
    timeoutMs: options.timeoutMs ?? 300,
    allowPrivate: options.allowPrivate ?? true,
    sweepIntervalMs: 3_600_000,
    policy: options.policy ?? TEST_BACKOFF,
    random: () => 0.5,
    batchSize: options.batchSize ?? 20,
  });
}

/**
 * An endpoint that wants every event type, so the outbox writes every event (an event no endpoint
 * wants is not written): for tests that read the outbox itself. Nothing delivers in those tests.
 */
export async function hearEveryEvent(t: TestApp): Promise<EndpointView> {
  const admin = await createAdmin(t, { email: `hooks-${Date.now()}-${Math.random()}@example.com` });
  return (await addEndpoint(t, admin.token, { url: "https://hooks.example.com/malipo" })).endpoint;
}

/** Adds an endpoint through the admin route; answers it with its secret (shown this once). */
export async function addEndpoint(
  t: TestApp,
  adminToken: string,
  body: { url: string; eventTypes?: string[]; enabled?: boolean; description?: string },
): Promise<{ endpoint: EndpointView; secret: string }> {
  const res = await t.app.inject({
    method: "POST",
    url: "/api/v1/admin/webhooks/endpoints",
    headers: bearer(adminToken),
    payload: body,
  });
  if (res.statusCode !== 201) throw new Error(`add endpoint failed: ${res.statusCode} ${res.body}`);
  return res.json().data;
}

/** Every outbox event, oldest first. */
export function outboxEvents(db: Db) {
  return db.kysely.selectFrom("webhook_events").selectAll().orderBy("created_at").orderBy("id").execute();
}

export function deliveriesOf(db: Db, endpointId: string) {
  return db.kysely
    .selectFrom("webhook_deliveries")
    .selectAll()
    .where("endpoint_id", "=", endpointId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

export function attemptsOf(db: Db, deliveryId: string) {
  return db.kysely
    .selectFrom("webhook_attempts")
    .selectAll()
    .where("delivery_id", "=", deliveryId)
    .orderBy("attempt")
    .execute();
}

/** The event types in the outbox, oldest first. */
export async function outboxTypes(db: Db): Promise<string[]> {
  return (await outboxEvents(db)).map((e) => e.type);
}

/**
 * Verifies a received request with the reference library, as a receiver whose clock reads `now`
 * (the library checks the timestamp against its own clock, and tests move ours): returns the body.
 */
export function verifyAsReceiver(secret: string, request: ReceivedRequest, now: Date): unknown {
  vi.useFakeTimers({ toFake: ["Date"], now });
  try {
    return new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
  } finally {
    vi.useRealTimers();
  }
}

/** Deletes every endpoint (with its deliveries), so one test's endpoints get nothing of the next. */
export async function deleteAllEndpoints(db: Db): Promise<void> {
  await db.kysely.deleteFrom("webhook_endpoints").execute();
}
