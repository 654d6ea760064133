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

/** Sets a user's M-Pesa number; answers the updated row, or undefined when no such user. */
export async function updatePhoneNumber(
  executor: Executor,
  id: string,
  phoneNumber: string,
): Promise<UserRow | undefined> {
  return executor
    .updateTable("users")
    .set({ phone_number: phoneNumber })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

/** Technicians by name (then id), a page at a time, with their total. */
export async function listTechnicians(
  executor: Executor,
  page: { offset: number; limit: number },
): Promise<{ rows: UserRow[]; total: number }> {
  const base = executor.selectFrom("users").where("role", "=", "technician");
  const count = await base.select((eb) => eb.fn.countAll<string | number>().as("n")).executeTakeFirst();
  const rows = await base
    .selectAll()
    .orderBy("name")
    .orderBy("id")
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { rows, total: Number(count?.n ?? 0) };
}

/**
 * Replaces the hash only if it is still `previousHash`: an upgrade at sign-in must not overwrite a
 * password changed meanwhile. True when it was replaced.
 */
export async function upgradePasswordHash(
  executor: Executor,
  id: string,
  previousHash: string,
  passwordHash: string,
): Promise<boolean> {
  const result = await executor
    .updateTable("users")
    .set({ password_hash: passwordHash })
    .where("id", "=", id)
    .where("password_hash", "=", previousHash)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
