/**
 * One webhook request: POST the body with its signature headers to the endpoint's URL and report
 * how it went. A 2xx is delivered; any other status (redirects included: they are never followed,
 * a receiver must give its final URL), a timeout or a network error is a failure to retry. Only
 * the endpoint's own URL is contacted, and without WEBHOOKS_ALLOW_PRIVATE only at public addresses.
 */
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { AddressRefused, guardedLookup, isPublicAddress, urlProblem } from "./address-guard.ts";
import type { AttemptOutcome } from "./catalogue.ts";
import type { SignedHeaders } from "./signing.ts";

/** The most of a response body kept in the log. */
export const EXCERPT_BYTES = 1_024;

export interface SendInput {
  url: string;
  body: string;
  headers: SignedHeaders;
  timeoutMs: number;
  allowPrivate: boolean;
  /** Aborted when the process shuts down: the attempt ends at once as interrupted. */
  signal?: AbortSignal | undefined;
}

export interface SendResult {
  outcome: AttemptOutcome;
  statusCode: number | null;
  excerpt: string | null;
  error: string | null;
}

export type Sender = (input: SendInput) => Promise<SendResult>;

const USER_AGENT = "Malipo-Webhooks/1.0";

function refused(error: string): SendResult {
  return { outcome: "refused", statusCode: null, excerpt: null, error };
}

export const sendWebhook: Sender = (input) => {
  const problem = urlProblem(input.url, input.allowPrivate);
  if (problem) return Promise.resolve(refused(`the endpoint URL ${problem}`));
  const url = new URL(input.url);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // An address in the URL is never looked up, so it is checked here.
  if (!input.allowPrivate && isIP(host) !== 0 && !isPublicAddress(host))
    return Promise.resolve(refused(`${host} is not a public address`));
  const client = url.protocol === "https:" ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    /** Set once the status line came: a slow body after it does not undo the answer. */
    let answered: (() => void) | null = null;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      input.signal?.removeEventListener("abort", interrupt);
      resolve(result);
    };
    const interrupt = () => {
      finish({
        outcome: "network_error",
        statusCode: null,
        excerpt: null,
        error: "interrupted: Malipo is shutting down",
      });
      request.destroy();
    };
    const request = client.request(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(input.body),
          "user-agent": USER_AGENT,
          ...input.headers,
        },
        agent: false,
        ...(input.allowPrivate ? {} : { lookup: guardedLookup }),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        const done = () => {
          const status = response.statusCode ?? 0;
          const excerpt =
            chunks.length === 0 ? null : Buffer.concat(chunks).toString("utf8").replaceAll("\u0000", "");
          const ok = status >= 200 && status < 300;
          finish({
            outcome: ok ? "delivered" : "http_error",
            statusCode: status,
            excerpt,
            error: ok ? null : `the endpoint answered ${status}`,
          });
          response.destroy();
        };
        answered = done;
        response.on("data", (chunk: Buffer) => {
          if (kept >= EXCERPT_BYTES) return done();
          const slice = chunk.subarray(0, EXCERPT_BYTES - kept);
          chunks.push(slice);
          kept += slice.length;
          if (kept >= EXCERPT_BYTES) done();
        });
        response.on("end", done);
        response.on("error", done);
      },
    );
    const timer = setTimeout(() => {
      if (answered) return answered();
      finish({
        outcome: "timeout",
        statusCode: null,
        excerpt: null,
        error: `no answer within ${input.timeoutMs} ms`,
      });
      request.destroy();
    }, input.timeoutMs);
    if (input.signal?.aborted) interrupt();
    else input.signal?.addEventListener("abort", interrupt, { once: true });
    request.on("error", (error) => {
      if (error instanceof AddressRefused) return finish(refused(error.message));
      finish({ outcome: "network_error", statusCode: null, excerpt: null, error: error.message });
    });
    request.end(input.body);
  });
};
