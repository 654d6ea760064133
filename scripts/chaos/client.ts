/**
 * Malipo's public HTTP API as a real client uses it: JSON, a bearer token, the client's own address
 * in X-Forwarded-For (Malipo runs behind a proxy that it trusts), and retries — on a network error,
 * a 5xx or a 429 the same request is sent again (the same Idempotency-Key for a payment) after a
 * pause, to whichever Malipo process answers, until it gets an answer or runs out of time.
 */
import { setTimeout as sleep } from "node:timers/promises";

export interface ApiAnswer {
  status: number;
  json: {
    data?: Record<string, unknown>;
    transaction?: Record<string, unknown>;
    error?: { code: string; details?: Record<string, unknown> };
  };
  /** Whether an earlier try of this request may have reached Malipo (a reset, a timeout, a 5xx). */
  retried: boolean;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  /** The client's address, as the proxy would forward it. */
  clientIp: string;
  idempotencyKey?: string;
  /** Give up retrying after this long (default 90 s: a killed process is back within seconds). */
  patienceMs?: number;
  /** Retry 5xx and 429 answers too (network errors are always retried). Default true. */
  retryAnswers?: boolean;
  /** At most this many tries (default: as many as the patience allows). */
  maxTries?: number;
}

export interface ClientStats {
  requests: number;
  networkErrors: number;
  serverErrors: number;
  rateLimited: number;
  retries: number;
}

export class MalipoClient {
  readonly stats: ClientStats = {
    requests: 0,
    networkErrors: 0,
    serverErrors: 0,
    rateLimited: 0,
    retries: 0,
  };
  readonly #bases: string[];
  #next = 0;

  /** `bases`: each Malipo process's `http://127.0.0.1:<port>`. */
  constructor(bases: string[]) {
    this.#bases = bases;
  }

  async request(method: string, path: string, options: RequestOptions): Promise<ApiAnswer> {
    const until = Date.now() + (options.patienceMs ?? 90_000);
    const retryAnswers = options.retryAnswers ?? true;
    let retried = false;
    for (let attempt = 0; ; attempt++) {
      const base = this.#bases[this.#next++ % this.#bases.length]!;
      let pauseMs = Math.min(3_000, 100 * 2 ** Math.min(attempt, 5));
      this.stats.requests += 1;
      try {
        const response = await fetch(`${base}/api/v1${path}`, {
          method,
          headers: {
            "x-forwarded-for": options.clientIp,
            ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : {}),
          },
          ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
          signal: AbortSignal.timeout(20_000),
        });
        const text = await response.text();
        const json = (text ? JSON.parse(text) : {}) as ApiAnswer["json"];
        const again = response.status >= 500 || response.status === 429;
        const last = Date.now() > until || attempt + 1 >= (options.maxTries ?? Number.POSITIVE_INFINITY);
        if (!again || !retryAnswers || last) return { status: response.status, json, retried };
        if (response.status === 429) {
          this.stats.rateLimited += 1;
          const after = Number(response.headers.get("retry-after") ?? json.error?.details?.retryAfterSeconds);
          if (Number.isFinite(after) && after > 0) pauseMs = Math.min(after * 1_000, 30_000);
        } else this.stats.serverErrors += 1;
        retried = true;
      } catch (error) {
        this.stats.networkErrors += 1;
        if (Date.now() > until)
          throw new Error(`${method} ${path}: no answer in time (${(error as Error).message})`);
        // A refused connection never reached Malipo; anything else may have.
        if (!/ECONNREFUSED/.test(String((error as Error & { cause?: Error }).cause?.message ?? error)))
          retried = true;
      }
      this.stats.retries += 1;
      await sleep(pauseMs);
    }
  }
}

/** The data of a 2xx answer, or an error naming the answer. */
export function dataOf(answer: ApiAnswer, what: string): Record<string, unknown> {
  if (answer.status >= 200 && answer.status < 300 && answer.json.data) return answer.json.data;
  throw new Error(`${what}: HTTP ${answer.status} ${answer.json.error?.code ?? JSON.stringify(answer.json)}`);
}
