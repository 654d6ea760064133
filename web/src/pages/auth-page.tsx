/** Sign up and log in, for customers and technicians. Refusals appear next to the field they concern. */
import { type FormEvent, useState } from "react";
import { ApiError } from "../api/client.ts";
import { login, register } from "../api/endpoints.ts";
import type { AuthResult } from "../api/types.ts";
import { Field, FormError } from "../components/field.tsx";
import { type FormErrors, formErrorsFrom } from "../lib/field-errors.ts";
import { checkPhone } from "../lib/phone.ts";
import { Link, navigate, useLocation } from "../router.tsx";
import { signIn } from "../session.ts";

const FIELDS = ["name", "email", "password", "phoneNumber", "role"] as const;
type AuthField = (typeof FIELDS)[number];

const FIELD_FOR_CODE = {
  EMAIL_TAKEN: "email",
  INVALID_CREDENTIALS: "password",
  INVALID_PHONE: "phoneNumber",
} as const;

const NO_ERRORS: FormErrors<AuthField> = { fields: {}, form: null };

export function AuthPage({ mode }: { mode: "login" | "signup" }) {
  const { search } = useLocation();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [phone, setPhone] = useState("");
  const [role, setRole] = useState<"customer" | "technician">("customer");
  const [errors, setErrors] = useState(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const signup = mode === "signup";

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const local = checkLocally();
    setErrors(local);
    if (Object.keys(local.fields).length > 0) {
      document.getElementById(`auth-${Object.keys(local.fields)[0]}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const result: AuthResult = signup
        ? await register({
            name: name.trim(),
            email: email.trim(),
            password,
            role,
            ...(phone.trim() ? { phoneNumber: phone.trim() } : {}),
          })
        : await login(email.trim(), password);
      signIn(result);
      const next = search.get("next");
      navigate(
        next?.startsWith("/") && !next.startsWith("//")
          ? next
          : result.user.role === "admin"
            ? "/admin"
            : "/",
        {
          replace: true,
        },
      );
    } catch (error) {
      setErrors(
        error instanceof ApiError
          ? formErrorsFrom<AuthField>(error, FIELDS, FIELD_FOR_CODE)
          : { fields: {}, form: error instanceof Error ? error.message : "Something went wrong." },
      );
      setBusy(false);
    }
  };

  const checkLocally = (): FormErrors<AuthField> => {
    const fields: FormErrors<AuthField>["fields"] = {};
    if (signup && name.trim() === "") fields.name = "Enter your name.";
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()))
      fields.email = "Enter an email address like jane@example.com.";
    if (password === "") fields.password = "Enter your password.";
    else if (signup && password.length < 8) fields.password = "Use at least 8 characters.";
    if (signup && phone.trim() !== "") {
      const check = checkPhone(phone);
      if (!check.ok) fields.phoneNumber = check.problem;
    }
    return { fields, form: null };
  };

  const title = signup ? "Create your account" : "Log in";
  return (
    <section className="narrow">
      <h1 tabIndex={-1}>{title}</h1>
      <form onSubmit={submit} noValidate className="stack">
        {signup && (
          <Field id="auth-name" label="Your name" error={errors.fields.name}>
            {(control) => (
              <input
                {...control}
                autoComplete="name"
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            )}
          </Field>
        )}
        <Field id="auth-email" label="Email" error={errors.fields.email}>
          {(control) => (
            <input
              {...control}
              type="email"
              autoComplete="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <Field
          id="auth-password"
          label="Password"
          hint={signup ? "At least 8 characters" : undefined}
          error={errors.fields.password}
        >
          {(control) => (
            <input
              {...control}
              type="password"
              autoComplete={signup ? "new-password" : "current-password"}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        {signup && (
          <>
            <Field
              id="auth-phoneNumber"
              label="M-Pesa phone number (optional)"
              hint="For example 0712 345 678"
              error={errors.fields.phoneNumber}
            >
              {(control) => (
                <input
                  {...control}
                  type="tel"
                  inputMode="tel"
                  autoComplete="tel"
                  value={phone}
                  onChange={(e) => setPhone(e.target.value)}
                />
              )}
            </Field>
            <fieldset className="field">
              <legend>I am a</legend>
              <div className="choices">
                <label className="choice">
                  <input
                    type="radio"
                    name="role"
                    value="customer"
                    checked={role === "customer"}
                    onChange={() => setRole("customer")}
                  />
                  Customer
                </label>
                <label className="choice">
                  <input
                    type="radio"
                    name="role"
                    value="technician"
                    checked={role === "technician"}
                    onChange={() => setRole("technician")}
                  />
                  Technician
                </label>
              </div>
              {errors.fields.role && <p className="field-error">{errors.fields.role}</p>}
            </fieldset>
          </>
        )}
        <FormError message={errors.form} />
        <button type="submit" className="button button-primary button-wide" disabled={busy} aria-busy={busy}>
          {busy ? "Please wait…" : signup ? "Sign up" : "Log in"}
        </button>
      </form>
      <p className="switch-auth">
        {signup ? (
          <>
            Already have an account? <Link to="/login">Log in</Link>
          </>
        ) : (
          <>
            New to Malipo? <Link to="/signup">Create an account</Link>
          </>
        )}
      </p>
    </section>
  );
}
