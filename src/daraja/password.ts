/**
 * The STK Push/Query `Password`: base64 of BusinessShortCode + Passkey + Timestamp, plain string
 * concatenation, standard base64 with padding (Daraja "M-Pesa Express" docs; a mismatch answers
 * 500.001.1001 "Wrong credentials").
 */
export function stkPassword(shortcode: string, passkey: string, timestamp: string): string {
  return Buffer.from(`${shortcode}${passkey}${timestamp}`, "utf8").toString("base64");
}

/** Safaricom's public sandbox Lipa na M-Pesa Online passkey for shortcode 174379. */
export const SANDBOX_SHORTCODE = "174379";
export const SANDBOX_PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";
