/** `/__emulator`: how to connect, the test numbers, recent sessions and callback deliveries. */
import { type AccountBalances, formatCents } from "../accounts.ts";
import type { CallbackDelivery } from "../callbacks.ts";
import type { Conversation } from "../conversations.ts";
import type { Merchant } from "../options.ts";
import type { Outcome, TestNumber } from "../outcomes.ts";
import type { PayoutOutcome, PayoutTestNumber } from "../payout-outcomes.ts";
import type { StkSession } from "../sessions.ts";
import { escapeHtml, formatKes, page } from "./html.ts";

export interface IndexView {
  baseUrl: string | null;
  consumerKey: string;
  consumerSecret: string;
  merchants: readonly Required<Merchant>[];
  timeScale: number;
  testNumbers: readonly TestNumber[];
  overrides: ReadonlyMap<string, Outcome>;
  sessions: readonly StkSession[];
  deliveries: readonly CallbackDelivery[];
  payoutTestNumbers: readonly PayoutTestNumber[];
  payoutOverrides: ReadonlyMap<string, PayoutOutcome>;
  conversations: readonly Conversation[];
  accounts: ReadonlyArray<{ shortcode: string } & AccountBalances>;
  initiators: ReadonlyArray<{ name: string; password: string }>;
}

const phoneLink = (msisdn: string) =>
  `<a href="/__emulator/phone/${escapeHtml(msisdn)}"><code>${escapeHtml(msisdn)}</code></a>`;

const time = (d: Date | null) => (d ? escapeHtml(d.toISOString().replace("T", " ").slice(0, 19)) : "");

function table(
  caption: string,
  headers: readonly string[],
  rows: readonly string[][],
  empty: string,
): string {
  if (rows.length === 0) return `<p class="muted">${escapeHtml(empty)}</p>`;
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("");
  const body = rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n");
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function sessionStatus(s: StkSession): string {
  if (s.result === null) return "waiting for the customer";
  return `${escapeHtml(s.result.resultCode)} ${escapeHtml(s.result.resultDesc)}`;
}

function conversationResult(c: Conversation): string {
  if (c.result === null) return "pending";
  return `${escapeHtml(c.result.resultCode)} ${escapeHtml(c.result.resultDesc)}`;
}

const API_LABEL: Record<Conversation["api"], string> = {
  b2c: "B2C",
  reversal: "Reversal",
  transaction_status: "Transaction Status",
  account_balance: "Account Balance",
};

function deliveryAnswer(d: CallbackDelivery): string {
  if (d.status === "answered")
    return `HTTP ${d.responseStatus} <code>${escapeHtml((d.responseBody ?? "").slice(0, 80))}</code>`;
  if (d.status === "failed") return escapeHtml(d.error ?? "failed");
  return escapeHtml(d.status);
}

export function renderIndexPage(view: IndexView): string {
  const merchants = view.merchants
    .map(
      (m) =>
        `<li>shortcode <code>${escapeHtml(m.shortcode)}</code>, passkey <code>${escapeHtml(m.passkey)}</code> (${escapeHtml(m.name)})</li>`,
    )
    .join("");
  const numbers = table(
    "Test numbers: the number that receives the prompt chooses what happens",
    ["Number", "What happens", "Outcome name"],
    view.testNumbers.map((t) => [
      phoneLink(t.msisdn),
      escapeHtml(t.description),
      `<code>${escapeHtml(view.overrides.get(t.msisdn) ?? t.outcome)}</code>`,
    ]),
    "",
  );
  const overrides = table(
    "Outcomes set through the control API",
    ["Number", "Outcome"],
    [...view.overrides].map(([msisdn, outcome]) => [
      phoneLink(msisdn),
      `<code>${escapeHtml(outcome)}</code>`,
    ]),
    "No outcomes set through the control API.",
  );
  const sessions = table(
    "Recent STK sessions, newest first",
    ["Created (UTC)", "CheckoutRequestID", "Phone", "Amount", "Account", "Result"],
    view.sessions.map((s) => [
      time(s.createdAt),
      `<code>${escapeHtml(s.checkoutRequestId)}</code>`,
      phoneLink(s.phoneNumber),
      `KES ${formatKes(s.amount)}`,
      escapeHtml(s.accountReference),
      sessionStatus(s),
    ]),
    "No STK pushes yet.",
  );
  const deliveries = table(
    "Recent callback deliveries, newest first",
    ["Scheduled (UTC)", "CheckoutRequestID", "URL", "Status", "Answer", "Note"],
    view.deliveries.map((d) => [
      time(d.scheduledAt),
      `<code>${escapeHtml(d.checkoutRequestId)}</code>`,
      `<code>${escapeHtml(d.url)}</code>`,
      escapeHtml(d.copy === "duplicate" ? `${d.status} (duplicate)` : d.status),
      deliveryAnswer(d),
      escapeHtml(d.note ?? ""),
    ]),
    "No callbacks yet.",
  );
  const payoutNumbers = table(
    "Payout test numbers: the number paid (or whose payment is reversed) chooses what happens",
    ["Number", "What happens", "Outcome name"],
    view.payoutTestNumbers.map((t) => [
      phoneLink(t.msisdn),
      escapeHtml(t.description),
      `<code>${escapeHtml(view.payoutOverrides.get(t.msisdn) ?? t.outcome)}</code>`,
    ]),
    "",
  );
  const accounts = table(
    "Organisation accounts (KES)",
    ["Shortcode", "Working Account", "Utility Account", "Charges Paid Account"],
    view.accounts.map((a) => [
      `<code>${escapeHtml(a.shortcode)}</code>`,
      formatCents(a.workingCents),
      formatCents(a.utilityCents),
      formatCents(a.chargesPaidCents),
    ]),
    "",
  );
  const conversations = table(
    "Recent B2C payments, reversals and queries, newest first",
    ["Created (UTC)", "API", "ConversationID", "Phone", "Amount", "Result"],
    view.conversations.map((c) => [
      time(c.createdAt),
      escapeHtml(API_LABEL[c.api]),
      `<code>${escapeHtml(c.conversationId)}</code>`,
      c.msisdn === null ? "" : phoneLink(c.msisdn),
      c.amount === null ? "" : `KES ${formatKes(c.amount)}`,
      conversationResult(c),
    ]),
    "No B2C payments, reversals or queries yet.",
  );
  const body = `<main>
<h1>Daraja emulator</h1>
<p>A local stand-in for Safaricom's Daraja API. Point any Daraja client at
<code>${escapeHtml(view.baseUrl ?? "(not listening)")}</code> instead of <code>https://sandbox.safaricom.co.ke</code>.</p>
<ul>
<li>Consumer key <code>${escapeHtml(view.consumerKey)}</code>, consumer secret <code>${escapeHtml(view.consumerSecret)}</code></li>
${merchants}
<li>Time scale <code>${escapeHtml(view.timeScale)}</code> (every delay is multiplied by it)</li>
<li>Control API: <a href="/__emulator/openapi.json">OpenAPI document</a>;
<a href="/__emulator/sessions">sessions</a>, <a href="/__emulator/callbacks">callbacks</a>,
<a href="/__emulator/requests">requests</a> as JSON</li>
</ul>
<p>Any other valid number (<code>2547…</code> or <code>2541…</code>) waits for a person on its simulated phone:
<code>/__emulator/phone/&lt;number&gt;</code>. <a href="/__emulator">Reload</a> to see new activity.</p>
<h2>Test numbers</h2>
${numbers}
${overrides}
<h2>Payouts, reversals and queries</h2>
<p>B2C, Reversal, Transaction Status and Account Balance work as on Daraja. Initiators:
${view.initiators.map((i) => `<code>${escapeHtml(i.name)}</code> (password <code>${escapeHtml(i.password)}</code>)`).join(", ")};
the SecurityCredential is the password encrypted with the <a href="/__emulator/certificate">emulator's certificate</a>
(RSA PKCS#1 v1.5, base64). Any other valid number is paid within a few seconds.</p>
${payoutNumbers}
${accounts}
${conversations}
<h2>Sessions</h2>
${sessions}
<h2>Callback deliveries</h2>
${deliveries}
</main>`;
  return page("Daraja emulator", body);
}
