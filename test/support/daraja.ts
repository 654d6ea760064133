/** Small helpers for tests of the Daraja client, wherever it talks to (a script, the emulator). */
import type { DarajaClient } from "../../src/daraja/client.ts";
import type { StkQueryResult } from "../../src/daraja/contract.ts";
import { DarajaError } from "../../src/daraja/errors.ts";

/** The DarajaError the promise rejects with; fails the test if it resolves or throws anything else. */
export async function caught(promise: Promise<unknown>): Promise<DarajaError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DarajaError) return error;
    throw error;
  }
  throw new Error("expected a DarajaError");
}

/** Asks until the answer is final (the reconciler's job in the app), or the deadline passes. */
export async function finalResult(
  daraja: DarajaClient,
  checkoutRequestId: string,
  deadlineMs = 8_000,
): Promise<StkQueryResult> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const result = await daraja.stkQuery(checkoutRequestId);
    if (result.kind === "final" || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
