/** Data access for users: plain functions taking a Kysely executor first. */
import type { Insertable } from "kysely";
import type { Executor, UserRow, UsersTable } from "../db/schema.ts";

export async function insertUser(executor: Executor, row: Insertable<UsersTable>): Promise<void> {
  await executor.insertInto("users").values(row).execute();
}

export async function findUserByEmail(executor: Executor, email: string): Promise<UserRow | undefined> {
  return executor.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
}

export async function findUserById(executor: Executor, id: string): Promise<UserRow | undefined> {
  return executor.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function updatePasswordHash(
  executor: Executor,
  id: string,
  passwordHash: string,
): Promise<void> {
  await executor.updateTable("users").set({ password_hash: passwordHash }).where("id", "=", id).execute();
}

/** True for a UNIQUE violation on either engine (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  const code = (error as { code: unknown }).code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
