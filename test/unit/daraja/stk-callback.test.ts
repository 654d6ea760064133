import { describe, expect, it } from "vitest";
import { parseStkCallback, StkCallbackParseError } from "../../../src/daraja/stk-callback.ts";

type Item = { Name: string; Value?: unknown };

const callback = (fields: Record<string, unknown>, items?: Item[] | unknown) => ({
  Body: {
    stkCallback: {
      MerchantRequestID: "29115-34620561-1",
      CheckoutRequestID: "ws_CO_191220191020363925",
      ResultCode: 0,
      ResultDesc: "The service request is processed successfully.",
      ...(items === undefined ? {} : { CallbackMetadata: { Item: items } }),
      ...fields,
    },
  },
});

const successItems: Item[] = [
  { Name: "Amount", Value: 1.0 },
  { Name: "MpesaReceiptNumber", Value: "NLJ7RT61SV" },
  { Name: "Balance" },
  { Name: "TransactionDate", Value: 20191219102115 },
  { Name: "PhoneNumber", Value: 254708374149 },
];

function parseError(body: unknown): StkCallbackParseError {
  try {
    parseStkCallback(body);
  } catch (error) {
    if (error instanceof StkCallbackParseError) return error;
    throw error;
  }
  throw new Error("expected a parse error");
}

describe("parseStkCallback", () => {
  it("types a success callback, reading metadata by Name", () => {
    expect(parseStkCallback(callback({}, successItems))).toEqual({
      merchantRequestId: "29115-34620561-1",
      checkoutRequestId: "ws_CO_191220191020363925",
      resultCode: "0",
      resultDesc: "The service request is processed successfully.",
      metadata: {
        amount: 1,
        mpesaReceiptNumber: "NLJ7RT61SV",
        transactionDate: "20191219102115",
        phoneNumber: "254708374149",
        balance: null,
      },
    });
  });

  it("does not depend on item order, and ignores unknown items", () => {
    const shuffled = [...successItems].reverse().concat([{ Name: "Something", Value: "new" }]);
    expect(parseStkCallback(callback({}, shuffled)).metadata).toEqual(
      parseStkCallback(callback({}, successItems)).metadata,
    );
  });

  it('accepts Amount as 1, 1.00 or "1.00", and a Balance with a Value', () => {
    const items = (amount: unknown): Item[] => [
      { Name: "Amount", Value: amount },
      { Name: "MpesaReceiptNumber", Value: "UA77F34PY7" },
      { Name: "Balance", Value: 1234.5 },
    ];
    expect(parseStkCallback(callback({}, items(1))).metadata?.amount).toBe(1);
    expect(parseStkCallback(callback({}, items("1.00"))).metadata?.amount).toBe(1);
    expect(parseStkCallback(callback({}, items(1.5))).metadata?.balance).toBe("1234.5");
  });

  it("a failure has no metadata; ResultCode may be a string; prefixes in ResultDesc are kept", () => {
    expect(
      parseStkCallback(callback({ ResultCode: "SFC_IC0003", ResultDesc: "The operator does not exist." })),
    ).toMatchObject({
      resultCode: "SFC_IC0003",
      metadata: null,
    });
    expect(
      parseStkCallback(callback({ ResultCode: 1032, ResultDesc: "[STK_CB - ]Request cancelled by user" })),
    ).toMatchObject({
      resultCode: "1032",
      resultDesc: "[STK_CB - ]Request cancelled by user",
    });
  });

  it("parses the raw JSON text as well as a parsed object", () => {
    const text = JSON.stringify(callback({}, successItems));
    expect(parseStkCallback(text)).toEqual(parseStkCallback(JSON.parse(text)));
    expect(
      parseStkCallback(JSON.stringify(callback({}, successItems), null, 2)).metadata?.mpesaReceiptNumber,
    ).toBe("NLJ7RT61SV");
  });

  it("keeps TransactionDate and PhoneNumber as their digits", () => {
    const items: Item[] = [
      { Name: "TransactionDate", Value: "20260107011726" },
      { Name: "PhoneNumber", Value: 254_100_000_001 },
    ];
    expect(parseStkCallback(callback({}, items)).metadata).toMatchObject({
      transactionDate: "20260107011726",
      phoneNumber: "254100000001",
      amount: null,
      mpesaReceiptNumber: null,
    });
  });

  it.each<[string, unknown, string]>([
    ["null body", null, "body must be a JSON object"],
    ["invalid JSON text", "{nope", "body is not valid JSON"],
    ["an array", [], "body must be a JSON object"],
    ["no Body", {}, "Body missing"],
    ["Body not an object", { Body: "x" }, "Body must be an object"],
    ["no stkCallback", { Body: {} }, "Body.stkCallback missing"],
    [
      "no CheckoutRequestID",
      callback({ CheckoutRequestID: undefined }),
      "Body.stkCallback.CheckoutRequestID missing",
    ],
    [
      "empty CheckoutRequestID",
      callback({ CheckoutRequestID: " " }),
      "Body.stkCallback.CheckoutRequestID is empty",
    ],
    [
      "numeric MerchantRequestID",
      callback({ MerchantRequestID: 5 }),
      "Body.stkCallback.MerchantRequestID must be a string",
    ],
    ["no ResultCode", callback({ ResultCode: undefined }), "Body.stkCallback.ResultCode missing"],
    [
      "fractional ResultCode",
      callback({ ResultCode: 1.5 }),
      "Body.stkCallback.ResultCode must be a whole number or a code",
    ],
    [
      "boolean ResultCode",
      callback({ ResultCode: true }),
      "Body.stkCallback.ResultCode must be a number or a code string",
    ],
    ["no ResultDesc", callback({ ResultDesc: undefined }), "Body.stkCallback.ResultDesc missing"],
    [
      "metadata not an object",
      callback({ CallbackMetadata: [] }),
      "Body.stkCallback.CallbackMetadata must be an object",
    ],
    ["Item missing", callback({ CallbackMetadata: {} }), "Body.stkCallback.CallbackMetadata.Item missing"],
    [
      "Item not an array",
      callback({}, { Name: "Amount" }),
      "Body.stkCallback.CallbackMetadata.Item must be an array",
    ],
    [
      "item not an object",
      callback({}, [successItems[0], 7]),
      "Body.stkCallback.CallbackMetadata.Item[1] must be an object",
    ],
    [
      "item without Name",
      callback({}, [{ Value: 1 }]),
      "Body.stkCallback.CallbackMetadata.Item[0].Name must be a string",
    ],
    [
      "Amount not a number",
      callback({}, [{ Name: "Amount", Value: "one" }]),
      "Body.stkCallback.CallbackMetadata.Item[0].Value must be a finite number",
    ],
    [
      "Amount an object",
      callback({}, [{ Name: "Amount", Value: {} }]),
      "Body.stkCallback.CallbackMetadata.Item[0].Value must be a finite number",
    ],
    [
      "receipt a number",
      callback({}, [{ Name: "MpesaReceiptNumber", Value: 12 }]),
      "Body.stkCallback.CallbackMetadata.Item[0].Value must be 10 upper-case letters or digits",
    ],
    [
      "fractional TransactionDate",
      callback({}, [{ Name: "TransactionDate", Value: 2019.5 }]),
      "Body.stkCallback.CallbackMetadata.Item[0].Value must be digits",
    ],
    [
      "PhoneNumber with letters",
      callback({}, [{ Name: "PhoneNumber", Value: "2547O8374149" }]),
      "Body.stkCallback.CallbackMetadata.Item[0].Value must be digits",
    ],
  ])("rejects %s with a precise message", (_, body, message) => {
    const error = parseError(body);
    expect(error.message).toBe(message);
    expect(message.startsWith(error.path)).toBe(true);
  });
});

describe("PhoneNumber as Daraja may send it", () => {
  it.each([
    [254708374149, "254708374149"],
    ["254708374149", "254708374149"],
    ["2547****4149", "2547****4149"],
    ["2547 ***** 126", "2547*****126"],
    ["2******9", "2******9"],
  ])("%j reads as %j (masked numbers are kept as shown, to compare what can be compared)", (value, read) => {
    const body = callback({}, [{ Name: "PhoneNumber", Value: value }]);
    expect(parseStkCallback(JSON.stringify(body)).metadata?.phoneNumber).toBe(read);
  });

  it.each(["2547**x*4149", "2547-****-4149", `2547${"*".repeat(20)}`])("%j is refused", (value) => {
    const body = callback({}, [{ Name: "PhoneNumber", Value: value }]);
    expect(() => parseStkCallback(JSON.stringify(body))).toThrow(StkCallbackParseError);
  });
});
