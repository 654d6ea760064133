/**
 * The simulated phone: the prompt a customer would see, a PIN field and Cancel. The page polls
 * its JSON view every second, so a new prompt appears without a reload.
 */
import { toDarajaTimestamp } from "../../daraja/timestamp.ts";
import type { StkSession } from "../sessions.ts";
import type { MpesaTransaction } from "../transactions.ts";
import { escapeHtml, formatKes, page } from "./html.ts";

export interface PhoneView {
  msisdn: string;
  prompt: {
    checkoutRequestId: string;
    text: string;
    amount: number;
    businessName: string;
    accountReference: string;
    expiresAt: string;
  } | null;
  last: { checkoutRequestId: string; resultCode: number | string; message: string } | null;
  /** Money this number received (B2C payouts, reversals), newest first, as M-PESA's SMS says it. */
  received: Array<{ receipt: string; message: string }>;
}

/** `15/1/26 at 12:00 PM`, East Africa Time, as M-PESA's confirmation SMS writes it. */
function smsTime(instant: Date): string {
  const t = toDarajaTimestamp(instant);
  const hour = Number(t.slice(8, 10));
  const clock = `${hour % 12 === 0 ? 12 : hour % 12}:${t.slice(10, 12)} ${hour < 12 ? "AM" : "PM"}`;
  return `${Number(t.slice(6, 8))}/${Number(t.slice(4, 6))}/${t.slice(2, 4)} at ${clock}`;
}

/** The confirmation SMS of money received. */
export function receivedMessage(t: MpesaTransaction): string {
  const amount = `KES ${formatKes(t.amount)}.00`;
  const from = `${t.organisationName} ${t.shortcode}`;
  if (t.kind === "reversal")
    return `${t.receipt} Confirmed. Transaction ${t.originalReceipt} has been reversed: ${amount} from ${from} is back in your M-PESA account on ${smsTime(t.completedAt)}.`;
  return `${t.receipt} Confirmed. You have received ${amount} from ${from} on ${smsTime(t.completedAt)}.`;
}

export function promptText(session: StkSession): string {
  return `Pay KES ${formatKes(session.amount)} to ${session.businessName}, account ${session.accountReference}. Enter M-PESA PIN`;
}

/** What the handset shows after the prompt ended (the confirmation SMS for a payment). */
export function outcomeMessage(session: StkSession): string {
  const result = session.result;
  if (result === null) return "";
  const amount = `KES ${formatKes(session.amount)}`;
  switch (result.kind) {
    case "paid":
      return `${session.receipt?.mpesaReceiptNumber} Confirmed. ${amount} sent to ${session.businessName} for account ${session.accountReference}.`;
    case "wrong_pin":
      return "Wrong M-PESA PIN. The payment was not made.";
    case "cancelled":
      return "You cancelled the payment request.";
    case "no_answer":
      return "The payment request timed out before you answered.";
    case "insufficient_funds":
      return `You do not have enough money to pay ${amount}.`;
    case "expired":
      return "The payment request has expired.";
    case "push_failed":
      return "The payment request could not be shown on this phone.";
    case "rule_limited":
      return "The payment was declined: same amount to the same business within 2 minutes.";
    case "operator_does_not_exist":
      return "The payment failed: the business number is not set up for this kind of payment.";
    default: {
      const _exhaustive: never = result.kind;
      return _exhaustive;
    }
  }
}

export function phoneView(
  msisdn: string,
  pending: StkSession | undefined,
  latest: StkSession | undefined,
  received: readonly MpesaTransaction[] = [],
): PhoneView {
  return {
    msisdn,
    prompt: pending
      ? {
          checkoutRequestId: pending.checkoutRequestId,
          text: promptText(pending),
          amount: pending.amount,
          businessName: pending.businessName,
          accountReference: pending.accountReference,
          expiresAt: pending.promptExpiresAt.toISOString(),
        }
      : null,
    last:
      latest?.result != null
        ? {
            checkoutRequestId: latest.checkoutRequestId,
            resultCode: latest.result.resultCode,
            message: outcomeMessage(latest),
          }
        : null,
    received: received.map((t) => ({ receipt: t.receipt, message: receivedMessage(t) })),
  };
}

const PHONE_STYLE = `
  main { max-width: 24rem; }
  .handset { background: #fff; border: 2px solid #17211b; border-radius: 1.5rem; padding: 1.5rem 1.25rem; }
  .screen { min-height: 6rem; font-size: 1.05rem; }
  form { display: grid; gap: 0.75rem; margin-top: 1rem; }
  label { font-weight: 600; }
  input { padding: 0.6rem; border: 2px solid #4b5a52; border-radius: 0.5rem; font-size: 1.25rem; letter-spacing: 0.3em; }
  .buttons { display: flex; gap: 0.75rem; }
  button { flex: 1; padding: 0.65rem; border-radius: 0.5rem; border: 2px solid #0b6b3a; cursor: pointer; font-weight: 600; }
  button[type=submit] { background: #0b6b3a; color: #fff; }
  button.secondary { background: #fff; color: #0b6b3a; }
  [hidden] { display: none !important; }
  #received { padding-left: 1.1rem; }
`;

const PHONE_SCRIPT = `
(() => {
  const root = document.getElementById("phone");
  const msisdn = root.dataset.msisdn;
  const base = "/__emulator/phone/" + msisdn;
  const form = document.getElementById("prompt-form");
  const text = document.getElementById("prompt-text");
  const pin = document.getElementById("pin");
  const status = document.getElementById("status");
  const cancel = document.getElementById("cancel");
  const received = document.getElementById("received");
  let current = null;
  let lastShown = null;
  let receivedShown = received.dataset.first || "";

  function showReceived(list) {
    const first = list.length > 0 ? list[0].receipt : "";
    if (first === receivedShown) return;
    receivedShown = first;
    received.replaceChildren(
      ...list.map((item) => {
        const li = document.createElement("li");
        li.textContent = item.message;
        return li;
      }),
    );
    document.getElementById("received-empty").hidden = list.length > 0;
  }

  function show(view) {
    showReceived(view.received || []);
    if (view.prompt) {
      if (view.prompt.checkoutRequestId !== current) {
        current = view.prompt.checkoutRequestId;
        text.textContent = view.prompt.text;
        pin.value = "";
        form.hidden = false;
        status.textContent = "New payment request.";
        pin.focus();
      }
      return;
    }
    if (current !== null || (view.last && view.last.checkoutRequestId !== lastShown)) {
      current = null;
      form.hidden = true;
      text.textContent = "No payment request.";
      if (view.last) {
        lastShown = view.last.checkoutRequestId;
        status.textContent = view.last.message;
      }
    }
  }

  async function poll() {
    try {
      const response = await fetch(base + "/prompt", { cache: "no-store" });
      if (response.ok) show(await response.json());
    } catch {
      // The emulator is restarting or gone; the next poll tries again.
    }
  }

  async function answer(path, body) {
    const response = await fetch(base + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({ checkoutRequestId: current }, body)),
    });
    const data = await response.json();
    if (data.message) status.textContent = data.message;
    await poll();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!/^[0-9]{4}$/.test(pin.value)) {
      status.textContent = "Enter your four-digit M-PESA PIN.";
      pin.focus();
      return;
    }
    void answer("/pin", { pin: pin.value });
  });
  cancel.addEventListener("click", () => void answer("/cancel", {}));
  setInterval(poll, 1000);
  void poll();
})();
`;

export function renderPhonePage(view: PhoneView): string {
  const prompt = view.prompt;
  const body = `<main>
<h1>Simulated phone <span class="muted">${escapeHtml(view.msisdn)}</span></h1>
<section id="phone" class="handset" data-msisdn="${escapeHtml(view.msisdn)}" aria-labelledby="screen-title">
  <h2 id="screen-title">M-PESA</h2>
  <p id="prompt-text" class="screen">${prompt ? escapeHtml(prompt.text) : "No payment request."}</p>
  <form id="prompt-form" ${prompt ? "" : "hidden"}>
    <label for="pin">M-PESA PIN</label>
    <input id="pin" name="pin" type="password" inputmode="numeric" pattern="[0-9]{4}" maxlength="4"
      autocomplete="off" required aria-describedby="pin-hint">
    <p id="pin-hint" class="muted">Four digits. 0000 acts as a wrong PIN; any other PIN pays.</p>
    <div class="buttons">
      <button type="submit">Send</button>
      <button type="button" id="cancel" class="secondary">Cancel</button>
    </div>
  </form>
  <p id="status" role="status" aria-live="polite">${view.last ? escapeHtml(view.last.message) : ""}</p>
</section>
<section aria-labelledby="received-title">
  <h2 id="received-title">Money received</h2>
  <p id="received-empty" class="muted" ${view.received.length > 0 ? "hidden" : ""}>No payments received yet.</p>
  <ul id="received" aria-live="polite" data-first="${escapeHtml(view.received[0]?.receipt ?? "")}">${view.received
    .map((r) => `<li>${escapeHtml(r.message)}</li>`)
    .join("")}</ul>
</section>
<p><a href="/__emulator">Emulator home</a></p>
</main>`;
  return page(`Phone ${view.msisdn} — Daraja emulator`, body, PHONE_STYLE, PHONE_SCRIPT);
}
