/**
 * Taking an open job, for the jobs list and the booking page alike, and the account's M-Pesa number
 * it depends on. A technician needs one first (payouts go there): without one, or when the server
 * answers TECHNICIAN_PHONE_REQUIRED, they are told why and can add it right there, then accept. The
 * account page uses the same form.
 *
 * One module on purpose: split in two, the bundler (rolldown 1.2) stops merging the payment path's
 * shared code into the entry chunk and ships it as an extra chunk the payment page must also load.
 */
import { type FormEvent, useCallback, useState } from "react";
import { ApiError } from "../api/client.ts";
import { acceptBooking, setMyPhoneNumber } from "../api/escrow-endpoints.ts";
import type { Booking, User } from "../api/types.ts";
import { Field, FormError } from "../components/field.tsx";
import { useToast } from "../components/toast.tsx";
import { ToneIcon } from "../components/tone-icon.tsx";
import { describeLifeRefusal } from "../lib/booking-life.ts";
import { formatMsisdn } from "../lib/format.ts";
import { checkPhone } from "../lib/phone.ts";
import { getSession, signIn, useSession } from "../session.ts";
import { refusalText } from "./confirm-modal.tsx";

export interface AcceptJob {
  accept(booking: Pick<Booking, "id" | "service">): Promise<Booking | null>;
  /** The booking being accepted right now, if any. */
  busyId: string | null;
  /** The account has no M-Pesa number (or the server said so): accepting must wait for one. */
  needsPhone: boolean;
  phoneAdded(): void;
}

export function useAcceptJob(onRefused?: (code: string) => void): AcceptJob {
  const session = useSession();
  const toast = useToast();
  const [busyId, setBusyId] = useState<string | null>(null);
  const [refusedForPhone, setRefusedForPhone] = useState(false);
  const needsPhone = refusedForPhone || !session?.user.phoneNumber;

  const accept = useCallback(
    async (booking: Pick<Booking, "id" | "service">) => {
      setBusyId(booking.id);
      try {
        const taken = await acceptBooking(booking.id);
        toast("success", `${booking.service}: the job is yours. Mark it done when you finish.`);
        return taken;
      } catch (error) {
        if (error instanceof ApiError && error.code === "TECHNICIAN_PHONE_REQUIRED") setRefusedForPhone(true);
        toast("danger", refusalText(error, describeLifeRefusal));
        if (error instanceof ApiError) onRefused?.(error.code);
        return null;
      } finally {
        setBusyId(null);
      }
    },
    [toast, onRefused],
  );
  return { accept, busyId, needsPhone, phoneAdded: () => setRefusedForPhone(false) };
}

/** Why a number is needed, and the form to add it. */
export function PhoneNeeded({ onSaved }: { onSaved: () => void }) {
  const session = useSession();
  const toast = useToast();
  return (
    <section className="panel notice-panel" aria-labelledby="phone-needed-title" data-testid="phone-needed">
      <h2 id="phone-needed-title">
        <ToneIcon tone="warning" /> Add your M-Pesa number first
      </h2>
      <p>
        When you finish a job, your share of the booking fee is sent to your M-Pesa number. Add it here, then
        accept the job.
      </p>
      <PhoneNumberForm
        id="tech-phone"
        current={session?.user.phoneNumber ?? null}
        hint="The number your payouts go to, for example 0712 345 678"
        onSaved={(user) => {
          toast("success", `Payouts will go to ${formatMsisdn(user.phoneNumber ?? "")}.`);
          onSaved();
        }}
      />
    </section>
  );
}

/**
 * Adding or changing the account's M-Pesa number, checked as it is typed (the server's own rule),
 * saved with `PATCH /auth/me`, and the session updated so every page sees the new number at once.
 */
export interface PhoneNumberFormProps {
  id: string;
  current: string | null;
  hint: string;
  onSaved: (user: User) => void;
}

export function PhoneNumberForm({ id, current, hint, onSaved }: PhoneNumberFormProps) {
  const [phone, setPhone] = useState(current ? formatMsisdn(current) : "");
  const [phoneProblem, setPhoneProblem] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const check = checkPhone(phone);
    if (!check.ok) {
      setPhoneProblem(check.problem);
      document.getElementById(id)?.focus();
      return;
    }
    setPhoneProblem(null);
    setProblem(null);
    setBusy(true);
    try {
      const user = await setMyPhoneNumber(check.msisdn);
      const session = getSession();
      if (session) signIn({ token: session.token, user });
      setPhone(user.phoneNumber ? formatMsisdn(user.phoneNumber) : "");
      onSaved(user);
    } catch (error) {
      if (error instanceof ApiError && (error.code === "INVALID_PHONE" || error.code === "VALIDATION_ERROR"))
        setPhoneProblem(error.message);
      else setProblem(error instanceof Error ? error.message : "Could not save the number.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate className="stack">
      <Field id={id} label="M-Pesa phone number" hint={hint} error={phoneProblem}>
        {(control) => (
          <input
            {...control}
            type="tel"
            inputMode="tel"
            autoComplete="tel"
            value={phone}
            onChange={(event) => {
              setPhone(event.target.value);
              if (phoneProblem) setPhoneProblem(null);
            }}
            disabled={busy}
          />
        )}
      </Field>
      <FormError message={problem} />
      <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
        {busy ? "Saving…" : current ? "Save number" : "Add number"}
      </button>
    </form>
  );
}
