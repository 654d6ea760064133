/** The signed-in account: who it is, and its M-Pesa number (payouts and prompts go there). */
import { StatusBadge } from "../components/status-badge.tsx";
import { useToast } from "../components/toast.tsx";
import { PhoneNumberForm } from "../escrow/accept-job.tsx";
import { formatMsisdn } from "../lib/format.ts";
import { useSession } from "../session.ts";
import "../escrow/escrow.css";

const ROLE_NAMES = { customer: "Customer", technician: "Technician", admin: "Admin" } as const;

export default function AccountPage() {
  const session = useSession();
  const toast = useToast();
  if (!session) return null;
  const { user } = session;
  const technician = user.role === "technician";
  return (
    <section className="narrow">
      <h1 tabIndex={-1}>Your account</h1>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{user.name}</dd>
        <dt>Email</dt>
        <dd>{user.email}</dd>
        <dt>Account</dt>
        <dd>{ROLE_NAMES[user.role]}</dd>
        <dt>M-Pesa</dt>
        <dd data-testid="account-phone">
          {user.phoneNumber ? (
            formatMsisdn(user.phoneNumber)
          ) : (
            <StatusBadge words={{ label: "No number yet", tone: technician ? "warning" : "neutral" }} />
          )}
        </dd>
      </dl>
      <section className="panel" aria-labelledby="phone-title">
        <h2 id="phone-title">M-Pesa number</h2>
        <p className="muted">
          {technician
            ? "Your payouts are sent to this number when you finish a job. You need one to accept jobs."
            : "The number your booking-fee prompts go to unless you type another when paying."}
        </p>
        <PhoneNumberForm
          id="account-phone-number"
          current={user.phoneNumber ?? null}
          hint="For example 0712 345 678 or +254 712 345 678"
          onSaved={(saved) =>
            toast("success", `M-Pesa number saved: ${formatMsisdn(saved.phoneNumber ?? "")}.`)
          }
        />
      </section>
    </section>
  );
}
