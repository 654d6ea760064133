/**
 * States the admin review queue lists, produced on a payments stack through the real emulator and
 * the real reconciler: money held in suspense (a payment paid after its attempt went to review), and
 * a payment to check on the statement (a push whose outcome was never confirmed).
 */
import { type PaymentsStack, pushBody } from "./payments.ts";

const HOUR = 3_600_000;

let phoneSequence = 0;
/** A number the emulator leaves to "a person": the prompt waits until the test answers it. */
export const interactivePhone = () => {
  phoneSequence += 1;
  return `25478${String(process.pid % 10_000).padStart(4, "0")}${String(phoneSequence).padStart(3, "0")}`;
};

/**
 * A payment under review for 24 h without an answer, then paid: its KES 500 held in suspense. The
 * stack's emulator must keep prompts open that long (`promptTimeoutMs`).
 */
export async function moneyInSuspense(s: PaymentsStack) {
  const c = await s.customer();
  const phone = interactivePhone();
  const push = await s.stkPush(c.token, pushBody(c.bookingId, phone));
  if (push.statusCode !== 201) throw new Error(`push failed: ${push.statusCode} ${push.body}`);
  const { transactionId, checkoutRequestId } = push.json().data;
  s.clock.advance(25 * HOUR);
  await s.t.services.payments.reconciler.runOnce();
  await s.waitForStatus(c.token, transactionId, ["needs_review"]);
  s.emulator.emulator.resolve(checkoutRequestId, "pay");
  await s.emulator.emulator.deliveries.waitFor(
    (d) => d.checkoutRequestId === checkoutRequestId && d.status === "answered",
  );
  await s.t.services.payments.callbacks.whenIdle();
  for (let i = 0; (await s.row(transactionId)).paid_amount === null && i < 250; i++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  return { c, phone, transactionId };
}

/**
 * A push Daraja answered with a 5xx (nothing was created, so no callback comes): after the window the
 * attempt fails and goes on the review list, since a prompt might have gone out and been paid.
 */
export async function unconfirmedPush(s: PaymentsStack) {
  const c = await s.customer();
  s.emulator.emulator.setFaults({ rates: { pushError: 1 } });
  const push = await s.stkPush(c.token, pushBody(c.bookingId, "254700009001"));
  s.emulator.emulator.setFaults({});
  if (push.statusCode !== 201) throw new Error(`push failed: ${push.statusCode} ${push.body}`);
  const { transactionId } = push.json().data;
  s.clock.advance(4 * 60_000);
  await s.t.services.payments.reconciler.runOnce();
  if ((await s.row(transactionId)).status !== "failed") throw new Error("the push did not fail");
  return { c, transactionId };
}
