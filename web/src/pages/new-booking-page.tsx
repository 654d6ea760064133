/** A customer books a service: what, where, when. Then on to the booking to pay its fee. */
import { type FormEvent, useState } from "react";
import { ApiError } from "../api/client.ts";
import { createBooking } from "../api/endpoints.ts";
import { Field, FormError } from "../components/field.tsx";
import { type FormErrors, formErrorsFrom } from "../lib/field-errors.ts";
import { navigate } from "../router.tsx";

const FIELDS = ["service", "description", "location", "scheduledFor"] as const;
type BookingField = (typeof FIELDS)[number];

const SERVICES = ["Plumbing", "Electrical repair", "Appliance repair", "Carpentry", "Painting", "Cleaning"];

export function NewBookingPage() {
  const [service, setService] = useState("");
  const [description, setDescription] = useState("");
  const [location, setLocation] = useState("");
  const [when, setWhen] = useState("");
  const [errors, setErrors] = useState<FormErrors<BookingField>>({ fields: {}, form: null });
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const fields: FormErrors<BookingField>["fields"] = {};
    if (service.trim() === "") fields.service = "Say which service you need.";
    const scheduled = when ? new Date(when) : null;
    if (scheduled && Number.isNaN(scheduled.getTime())) fields.scheduledFor = "Enter a date and time.";
    else if (scheduled && scheduled.getTime() < Date.now())
      fields.scheduledFor = "Choose a time in the future.";
    if (Object.keys(fields).length > 0) {
      setErrors({ fields, form: null });
      document.getElementById(`booking-${Object.keys(fields)[0]}`)?.focus();
      return;
    }
    setErrors({ fields: {}, form: null });
    setBusy(true);
    try {
      const booking = await createBooking({
        service: service.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
        ...(location.trim() ? { location: location.trim() } : {}),
        ...(scheduled ? { scheduledFor: scheduled.toISOString() } : {}),
      });
      navigate(`/bookings/${booking.id}`);
    } catch (error) {
      setErrors(
        error instanceof ApiError
          ? formErrorsFrom<BookingField>(error, FIELDS)
          : { fields: {}, form: error instanceof Error ? error.message : "Something went wrong." },
      );
      setBusy(false);
    }
  };

  return (
    <section className="narrow">
      <h1 tabIndex={-1}>New booking</h1>
      <form onSubmit={submit} noValidate className="stack">
        <Field
          id="booking-service"
          label="Service"
          hint="Pick one or type your own"
          error={errors.fields.service}
        >
          {(control) => (
            <>
              <input
                {...control}
                list="booking-services"
                value={service}
                onChange={(e) => setService(e.target.value)}
                autoComplete="off"
              />
              <datalist id="booking-services">
                {SERVICES.map((name) => (
                  <option key={name} value={name} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field id="booking-description" label="What needs doing (optional)" error={errors.fields.description}>
          {(control) => (
            <textarea
              {...control}
              rows={3}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          )}
        </Field>
        <Field
          id="booking-location"
          label="Location (optional)"
          hint="Area and landmark"
          error={errors.fields.location}
        >
          {(control) => (
            <input
              {...control}
              autoComplete="street-address"
              value={location}
              onChange={(e) => setLocation(e.target.value)}
            />
          )}
        </Field>
        <Field id="booking-scheduledFor" label="When (optional)" error={errors.fields.scheduledFor}>
          {(control) => (
            <input
              {...control}
              type="datetime-local"
              value={when}
              onChange={(e) => setWhen(e.target.value)}
            />
          )}
        </Field>
        <FormError message={errors.form} />
        <button type="submit" className="button button-primary button-wide" disabled={busy} aria-busy={busy}>
          {busy ? "Booking…" : "Book"}
        </button>
      </form>
    </section>
  );
}
