/**
 * M-PESA receipts (TransactionID, TransactionReceipt, ReceiptNo): ten upper-case letters and digits,
 * e.g. `SG632NMUAB`. Failed and query-only results carry a placeholder instead — the receipt's
 * three-character date prefix padded with zeros (`UAV0000000`, `OA90000000`) — which is no receipt.
 */

/** Real receipts are 10 characters; a little slack either way, never an unbounded string. */
const RECEIPT = /^[A-Z0-9]{8,12}$/;
const PLACEHOLDER = /^[A-Z0-9]{3}0{7}$/;

/** A well-formed receipt (placeholders included). */
export function isReceiptShaped(value: string): boolean {
  return RECEIPT.test(value);
}

/** `XXX0000000`: what Daraja puts in TransactionID when no money moved. */
export function isPlaceholderReceipt(value: string): boolean {
  return PLACEHOLDER.test(value);
}

/** A receipt that names a real M-PESA transaction. */
export function isReceipt(value: string): boolean {
  return RECEIPT.test(value) && !PLACEHOLDER.test(value);
}
