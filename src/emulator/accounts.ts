/**
 * The organisations' M-Pesa accounts, so that Account Balance tells the truth. Amounts in cents
 * (M-Pesa's organisation balances carry cents). As on M-Pesa: customer payments to a paybill land
 * in its Utility Account; B2C payouts and reversals are paid from the Utility Account (too little
 * there is result `1`); charges accrue, negative, in the Charges Paid Account; the Working Account
 * (where a business withdraws to its bank) is not touched by any API the emulator has.
 */

export interface AccountBalances {
  workingCents: number;
  utilityCents: number;
  chargesPaidCents: number;
}

export interface OpeningBalances {
  workingKes: number;
  utilityKes: number;
}

/**
 * What the emulator charges an organisation for one B2C payment, in whole KES, by amount band.
 * Shaped like Safaricom's business-payment tariff (a flat fee per band), not a copy of it: check
 * Safaricom's current tariff for real figures. Reversals are free, as in the documented result.
 */
export const B2C_CHARGE_BANDS_KES: ReadonlyArray<{ upTo: number; charge: number }> = [
  { upTo: 100, charge: 0 },
  { upTo: 1_500, charge: 5 },
  { upTo: 5_000, charge: 9 },
  { upTo: 20_000, charge: 11 },
  { upTo: 250_000, charge: 13 },
];

export function b2cChargeKes(amountKes: number): number {
  return B2C_CHARGE_BANDS_KES.find((band) => amountKes <= band.upTo)?.charge ?? 13;
}

const kesToCents = (kes: number) => Math.round(kes * 100);

/** `-198000` → `"-1980.00"`. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

export class OrganisationAccounts {
  readonly #accounts = new Map<string, AccountBalances>();
  #opening: OpeningBalances;

  constructor(opening: OpeningBalances) {
    this.#opening = opening;
  }

  /** The accounts of `shortcode` (opened with the opening balances on first use). */
  balances(shortcode: string): AccountBalances {
    let accounts = this.#accounts.get(shortcode);
    if (accounts === undefined) {
      accounts = {
        workingCents: kesToCents(this.#opening.workingKes),
        utilityCents: kesToCents(this.#opening.utilityKes),
        chargesPaidCents: 0,
      };
      this.#accounts.set(shortcode, accounts);
    }
    return accounts;
  }

  /** Every organisation that has had any activity. */
  list(): Array<{ shortcode: string } & AccountBalances> {
    return [...this.#accounts].map(([shortcode, b]) => ({ shortcode, ...b }));
  }

  /** Control API: set balances (e.g. drain the Utility Account to see a real `1`). */
  set(
    shortcode: string,
    balances: Partial<{ workingKes: number; utilityKes: number; chargesPaidKes: number }>,
  ): AccountBalances {
    const accounts = this.balances(shortcode);
    if (balances.workingKes !== undefined) accounts.workingCents = kesToCents(balances.workingKes);
    if (balances.utilityKes !== undefined) accounts.utilityCents = kesToCents(balances.utilityKes);
    if (balances.chargesPaidKes !== undefined)
      accounts.chargesPaidCents = kesToCents(balances.chargesPaidKes);
    return accounts;
  }

  /** A customer paid the paybill (STK). */
  receivePayment(shortcode: string, amountKes: number): void {
    this.balances(shortcode).utilityCents += kesToCents(amountKes);
  }

  canPay(shortcode: string, amountKes: number): boolean {
    return this.balances(shortcode).utilityCents >= kesToCents(amountKes);
  }

  /** Money leaves the Utility Account (B2C, reversal); the charge accrues in Charges Paid. */
  pay(shortcode: string, amountKes: number, chargeKes: number): AccountBalances {
    const accounts = this.balances(shortcode);
    accounts.utilityCents -= kesToCents(amountKes);
    accounts.chargesPaidCents -= kesToCents(chargeKes);
    return { ...accounts };
  }

  /** Back to the opening balances (reset). */
  clear(opening: OpeningBalances = this.#opening): void {
    this.#opening = opening;
    this.#accounts.clear();
  }
}

const line = (name: string, cents: number) => {
  const amount = formatCents(cents);
  return `${name}|KES|${amount}|${amount}|0.00|0.00`;
};

/** The `AccountBalance` result parameter, accounts in the order of the 2024 capture. */
export function accountBalanceString(balances: AccountBalances): string {
  return [
    line("Working Account", balances.workingCents),
    line("Utility Account", balances.utilityCents),
    line("Charges Paid Account", balances.chargesPaidCents),
    line("Organization Settlement Account", 0),
  ].join("&");
}

/** The `DebitAccountBalance` of a reversal result. */
export function utilityAccountLine(balances: AccountBalances): string {
  return line("Utility Account", balances.utilityCents);
}
