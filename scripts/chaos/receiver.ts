/**
 * The platform's webhook receiver, as a flaky one would be: up, then answering 500 or hanging past
 * Malipo's timeout for seeded periods, then up again. Every request's signature is verified with the
 * Standard Webhooks reference library; an event counts as delivered when this receiver answered
 * it 2xx, and every webhook-id it acknowledged is recorded with how many times it came.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import type { ReceiverWindow } from "./plan.ts";

export interface ReceiverStats {
  requests: number;
  /** Answered 2xx, by webhook-id: how many times each came and was acknowledged. */
  acknowledged: Map<string, number>;
  /** Requests answered 500 or left hanging on purpose. */
  refused: number;
  /** Requests whose signature did not verify (each a violation), with why. */
  badSignatures: string[];
  /** Event types seen, by webhook-id (from the verified body). */
  types: Map<string, string>;
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export class WebhookReceiver {
  readonly stats: ReceiverStats = {
    requests: 0,
    acknowledged: new Map(),
    refused: 0,
    badSignatures: [],
    types: new Map(),
  };
  secret: string | null = null;
  readonly #server: Server;
  readonly #windows: ReceiverWindow[];
  readonly #hangMs: number;
  #startedAt: number | null = null;
  #recovered = false;

  /** `hangMs`: how long a "timeout" answer waits (longer than WEBHOOKS_TIMEOUT_MS). */
  constructor(windows: ReceiverWindow[], hangMs: number) {
    this.#windows = windows;
    this.#hangMs = hangMs;
    this.#server = createServer((request, response) => {
      void this.#handle(request).then(({ status, delayMs }) => {
        const answer = () => {
          if (!response.destroyed) response.writeHead(status, { "content-type": "text/plain" }).end("ok");
        };
        if (delayMs > 0) setTimeout(answer, delayMs).unref();
        else answer();
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hooks/malipo`;
  }

  /** Traffic starts: the failure windows count from now. */
  begin(): void {
    this.#startedAt = Date.now();
  }

  /** From now on always up, so whatever is still due can arrive. */
  recover(): void {
    this.#recovered = true;
  }

  mode(): ReceiverWindow["mode"] {
    if (this.#recovered || this.#startedAt === null) return "up";
    const elapsed = Date.now() - this.#startedAt;
    let mode: ReceiverWindow["mode"] = "up";
    for (const w of this.#windows) if (w.atMs <= elapsed) mode = w.mode;
    return mode;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage): Promise<{ status: number; delayMs: number }> {
    const body = await bodyOf(request);
    this.stats.requests += 1;
    const id = String(request.headers["webhook-id"] ?? "");
    try {
      if (this.secret === null) throw new Error("no endpoint secret yet");
      const event = new Webhook(this.secret).verify(body, {
        "webhook-id": id,
        "webhook-timestamp": String(request.headers["webhook-timestamp"] ?? ""),
        "webhook-signature": String(request.headers["webhook-signature"] ?? ""),
      }) as { id?: string; type?: string };
      if (event.id !== id) throw new Error(`body id ${String(event.id)} is not the webhook-id ${id}`);
      this.stats.types.set(id, String(event.type));
    } catch (error) {
      this.stats.badSignatures.push(`${id || "(no webhook-id)"}: ${(error as Error).message}`);
      return { status: 400, delayMs: 0 };
    }
    const mode = this.mode();
    if (mode === "error") {
      this.stats.refused += 1;
      return { status: 500, delayMs: 0 };
    }
    if (mode === "timeout") {
      this.stats.refused += 1;
      return { status: 200, delayMs: this.#hangMs };
    }
    this.stats.acknowledged.set(id, (this.stats.acknowledged.get(id) ?? 0) + 1);
    return { status: 200, delayMs: 0 };
  }
}
