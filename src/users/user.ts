/** A user as the rest of Malipo sees it (never with the password hash). */
import type { UserRole, UserRow } from "../db/schema.ts";

export type { UserRole };

export const USER_ROLES: readonly UserRole[] = ["customer", "technician", "admin"];

/** Roles a person may choose when signing up; admins are made from the command line or config. */
export type SelfServiceRole = Exclude<UserRole, "admin">;
export const SELF_SERVICE_ROLES: readonly SelfServiceRole[] = ["customer", "technician"];

export interface User {
  id: string;
  name: string;
  email: string;
  /** Canonical MSISDN (`2547…`), or null when none was given. */
  phoneNumber: string | null;
  role: UserRole;
  createdAt: string;
}

/** Who is acting: enough to decide what they may see and do. */
export interface Actor {
  id: string;
  role: UserRole;
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phoneNumber: row.phone_number,
    role: row.role,
    createdAt: row.created_at,
  };
}
