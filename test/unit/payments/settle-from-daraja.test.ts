import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { settleFromDaraja } from "../../../src/payments/settle-from-daraja.ts";
import {
  checkoutIdFor,
  createPaymentsHarness,
  type Payer,
  type PaymentsHarness,
} from "../../support/payments.ts";

let h: PaymentsHarness;
let payer: Payer;

beforeEach(async () => {
  h = await createPaymentsHarness();
  payer = await h.payer();
});
afterEach(async () => {
  await h.close();
});

describe("settleFromDaraja, the one way from Daraja's answer to the books", () => {
  it("claims the query slot, asks STK Query, and applies the answer", async () => {
    const { data } = await payer.start();
    h.daraja.answerQuery(checkoutIdFor(1), "1032", "Request Cancelled by user.");
    const settled = await settleFromDaraja(h.payments.context, await h.row(data.transactionId), {
      source: "status",
    });
    expect(settled).toMatchObject({ kind: "answered", agreed: false, event: { type: "failed" } });
    expect(settled.transaction).toMatchObject({ status: "failed", result_code: "1032", check_attempts: 1 });
    // Asking again at once: another caller just asked, so Daraja is not asked twice.
    const again = await settleFromDaraja(h.payments.context, settled.transaction, { source: "status" });
    expect(again.kind).toBe("not_asked");
    expect(h.daraja.queries).toHaveLength(1);
  });

  it("does not ask about an attempt without ids, and reports a failed query without changing anything", async () => {
    h.daraja.losePushResponse();
    const lost = await payer.start();
    const withoutIds = await h.row(lost.data.transactionId);
    expect((await settleFromDaraja(h.payments.context, withoutIds, { source: "query" })).kind).toBe(
      "not_asked",
    );
    expect(h.daraja.queries).toHaveLength(0);
  });

  it("a claim Daraja agrees with is applied for its facts; one it has no final answer for is not applied", async () => {
    const { data } = await payer.start();
    const claim = {
      event: {
        type: "paid" as const,
        facts: {
          resultCode: "0",
          resultDesc: "ok",
          receipt: "UA77F34PY7",
          amount: 500,
          phone: null,
          transactionDate: null,
        },
      },
      ids: null,
    };
    const undecided = await settleFromDaraja(h.payments.context, await h.row(data.transactionId), {
      source: "query",
      claim,
    });
    expect(undecided.kind).toBe("undecided");
    expect((await h.row(data.transactionId)).status).toBe("pending");
    h.daraja.answerQuery(checkoutIdFor(1), "0", "The service request is processed successfully.");
    const agreed = await settleFromDaraja(h.payments.context, await h.row(data.transactionId), {
      source: "query",
      claim,
    });
    expect(agreed).toMatchObject({ kind: "answered", agreed: true });
    expect(await h.row(data.transactionId)).toMatchObject({
      status: "completed",
      mpesa_receipt_number: "UA77F34PY7",
    });
  });
});
