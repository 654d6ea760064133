/** What people type into their account (email, password, name, M-Pesa number), checked and normalised. */
import { normalizeMsisdn } from "../daraja/phone.ts";
import { AppError } from "../errors.ts";

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  if (normalized.length > 254 || !EMAIL_PATTERN.test(normalized))
    throw new AppError("VALIDATION_ERROR", "Enter a valid email address", {
      fields: [{ field: "email", message: "must be an email address" }],
    });
  return normalized;
}

export function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH)
    throw new AppError(
      "VALIDATION_ERROR",
      `Choose a password of ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
      {
        fields: [
          { field: "password", message: `must be ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters` },
        ],
      },
    );
}

export function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 100)
    throw new AppError("VALIDATION_ERROR", "Enter your name (up to 100 characters)", {
      fields: [{ field: "name", message: "must be 1–100 characters" }],
    });
  return trimmed;
}

/** A Kenyan mobile number in canonical form (`2547…`); INVALID_PHONE otherwise. */
export function checkPhone(phoneNumber: string): string {
  const canonical = normalizeMsisdn(phoneNumber);
  if (!canonical)
    throw new AppError("INVALID_PHONE", "Enter a Kenyan mobile number such as 0712345678", {
      fields: [{ field: "phoneNumber", message: "must be a Kenyan mobile number" }],
    });
  return canonical;
}
