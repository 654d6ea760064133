/**
 * An admin gives an open booking to a technician, chosen from the technicians' list. Those without
 * an M-Pesa number are shown but cannot be chosen: their payout would have nowhere to go.
 */
import { useEffect, useState } from "react";
import { assignBooking, listTechnicians } from "../api/escrow-endpoints.ts";
import type { Booking, User } from "../api/types.ts";
import { Field } from "../components/field.tsx";
import { describeLifeRefusal } from "../lib/booking-life.ts";
import { formatMsisdn } from "../lib/format.ts";
import { ConfirmModal, refusalText } from "./confirm-modal.tsx";

const MAX_LISTED = 100;

export interface AssignTechnicianModalProps {
  booking: Pick<Booking, "id" | "service">;
  onAssigned: (booking: Booking) => void;
  onClose: () => void;
}

export function AssignTechnicianModal({ booking, onAssigned, onClose }: AssignTechnicianModalProps) {
  const [technicians, setTechnicians] = useState<User[] | null>(null);
  const [loadProblem, setLoadProblem] = useState<string | null>(null);
  const [chosen, setChosen] = useState("");
  const [choiceProblem, setChoiceProblem] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    listTechnicians(1, MAX_LISTED)
      .then((page) => live && setTechnicians(page.items))
      .catch((error: Error) => live && setLoadProblem(error.message));
    return () => {
      live = false;
    };
  }, []);

  const confirm = async () => {
    if (chosen === "") {
      setChoiceProblem("Choose a technician.");
      document.getElementById("assign-technician")?.focus();
      return;
    }
    setChoiceProblem(null);
    setProblem(null);
    setBusy(true);
    try {
      onAssigned(await assignBooking(booking.id, chosen));
    } catch (error) {
      setProblem(refusalText(error, describeLifeRefusal));
      setBusy(false);
    }
  };

  return (
    <ConfirmModal
      id="assign-modal"
      title="Assign a technician"
      confirmLabel="Assign"
      busyLabel="Assigning…"
      busy={busy}
      problem={problem ?? loadProblem}
      onConfirm={() => void confirm()}
      onClose={onClose}
    >
      <p>
        Give <strong>{booking.service}</strong> to a technician. They are paid to their M-Pesa number when the
        job is done.
      </p>
      {!technicians && !loadProblem && <p className="loading">Loading technicians…</p>}
      {technicians?.length === 0 && <p>No technician has signed up yet.</p>}
      {technicians && technicians.length > 0 && (
        <Field id="assign-technician" label="Technician" error={choiceProblem}>
          {(control) => (
            <select
              {...control}
              data-autofocus
              value={chosen}
              onChange={(event) => {
                setChosen(event.target.value);
                setChoiceProblem(null);
              }}
              disabled={busy}
            >
              <option value="">Choose…</option>
              {technicians.map((t) => (
                <option key={t.id} value={t.id} disabled={!t.phoneNumber}>
                  {t.name} — {t.phoneNumber ? formatMsisdn(t.phoneNumber) : "no M-Pesa number yet"}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
    </ConfirmModal>
  );
}
