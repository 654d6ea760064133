/**
 * When a load run really ended. autocannon resolves a run with a fixed `amount` of requests only at
 * its next one-second sample after the last answer, so timing the promise rounds every run up to a
 * whole second (3,000 callbacks answered in 2.1 s read as 3.0 s). The benchmarks time a run from
 * its start to its last answer instead, noted by each request's `onResponse`.
 */
export interface AnswerClock {
  /** Call from `onResponse`. */
  answered(): void;
  /** performance.now() of the last answer (the start when none came). */
  readonly lastAnswerAt: number;
  readonly startedAt: number;
}

export function answerClock(): AnswerClock {
  const startedAt = performance.now();
  let lastAnswerAt = startedAt;
  return {
    answered() {
      lastAnswerAt = performance.now();
    },
    get lastAnswerAt() {
      return lastAnswerAt;
    },
    startedAt,
  };
}
