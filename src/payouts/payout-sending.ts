/**
 * Money out, wired: the submitter that sends due payouts and refunds to Daraja, and the handling of
 * what Daraja sends back on the signed result URLs. Built once by `createServices`; the composition
 * root starts the submitter (`config.payouts.submitterEnabled`) and stops it before the database
 * closes, after the HTTP server stopped taking notices.
 */
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { DarajaPayoutsApi } from "../daraja/contract.ts";
import type { Db } from "../db/database.ts";
import type { CallbackVerdict } from "../db/schema.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { createBackgroundWork } from "../payments/context.ts";
import { instrumentPayoutsDaraja } from "../payments/instrumented-daraja.ts";
import { createWindowCounter } from "../payments/window-counter.ts";
import type { PayoutsService } from "./payouts.service.ts";
import { finishWaitingResults, processPayoutResult } from "./process-result.ts";
import { type IncomingResult, receivePayoutResult } from "./receive-result.ts";
import type { ResultsContext } from "./results-context.ts";
import { createPayoutSubmitter, type PayoutSubmitter } from "./submitter.ts";

export interface PayoutResultHandling {
  /** Stores and checks; throws AppError (after storing) when refused. Processing continues in the background. */
  receive(input: IncomingResult): Promise<{ resultId: string }>;
  /** Decides a stored notice (background, or the submitter's sweep). */
  process(resultId: string): Promise<CallbackVerdict>;
  /** Resolves when no notice is being processed in the background (tests, shutdown). */
  whenIdle(): Promise<void>;
}

export interface PayoutSending {
  submitter: PayoutSubmitter;
  results: PayoutResultHandling;
}

export interface PayoutSendingDeps {
  config: Readonly<Config>;
  db: Db;
  clock: Clock;
  logger: Logger;
  payouts: PayoutsService;
  daraja: DarajaPayoutsApi;
  metrics?: Metrics | undefined;
}

export function createPayoutSending(deps: PayoutSendingDeps): PayoutSending {
  const { config, db, clock, payouts } = deps;
  const logger = deps.logger.child({ module: "payouts" });
  const results: ResultsContext = {
    db,
    clock,
    logger,
    secret: config.callbackSecret,
    allowedIps: config.mpesa.callbackAllowedIps,
    apply: payouts.applyEvent,
    background: createBackgroundWork(logger),
    invalidNotices: createWindowCounter(60_000),
    noticeLeaseMs: payouts.timings.noticeLeaseMs,
  };
  const process = (resultId: string) => processPayoutResult(results, resultId);
  const submitter = createPayoutSubmitter(
    {
      db,
      clock,
      logger,
      daraja: instrumentPayoutsDaraja(deps.daraja, deps.metrics),
      urls: { publicBaseUrl: config.publicBaseUrl, secret: config.callbackSecret },
      timings: payouts.timings,
      apply: payouts.applyEvent,
      onChange: payouts.onChange,
      announce: payouts.announce,
      processResult: process,
      finishWaitingResults: (ref) => finishWaitingResults(results, ref),
    },
    { intervalMs: config.payouts.intervalMs },
  );
  return {
    submitter,
    results: {
      receive: (input) => receivePayoutResult(results, input),
      process,
      whenIdle: () => results.background.whenIdle(),
    },
  };
}
