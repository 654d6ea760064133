/**
 * Accounts: sign-up, sign-in, profile, and the admin accounts made from the command line or from
 * ADMIN_EMAIL/ADMIN_PASSWORD at start-up. Issuing session tokens is the HTTP layer's job.
 */
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/database.ts";
import { isUniqueViolation } from "../db/database.ts";
import { AppError } from "../errors.ts";
import { newId } from "../ids.ts";
import type { Logger } from "../logger.ts";
import {
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  needsRehash,
  type ScryptParams,
  verifyPassword,
} from "./password.ts";
import { type Actor, type SelfServiceRole, toUser, type User } from "./user.ts";
import { checkName, checkPassword, checkPhone, normalizeEmail, PASSWORD_MAX_LENGTH } from "./user-input.ts";
import {
  findUserByEmail,
  findUserById,
  insertUser,
  listTechnicians,
  updatePasswordHash,
  updatePhoneNumber,
  upgradePasswordHash,
} from "./users.repository.ts";

export interface RegisterInput {
  name: string;
  email: string;
  password: string;
  phoneNumber?: string | null;
  role?: SelfServiceRole;
}

export interface CredentialsInput {
  email: string;
  password: string;
}

export interface AdminInput {
  email: string;
  password: string;
  name?: string;
}

export interface UsersService {
  /** Creates a customer or technician. EMAIL_TAKEN, INVALID_PHONE, VALIDATION_ERROR. */
  register(input: RegisterInput): Promise<User>;
  /** The user whose email and password match; INVALID_CREDENTIALS otherwise (same answer either way). */
  login(input: CredentialsInput): Promise<User>;
  /** The user with this id, or null. */
  findById(id: string): Promise<User | null>;
  /** The signed-in user's M-Pesa number (payouts and prompts go there). INVALID_PHONE, UNAUTHORIZED. */
  setPhoneNumber(actor: Actor, phoneNumber: string): Promise<User>;
  /** Admins: technicians by name, to assign bookings to. FORBIDDEN for anyone else. */
  listTechnicians(actor: Actor, page: { page: number; limit: number }): Promise<UserPage>;
  /** Creates an admin account; EMAIL_TAKEN when the email is in use. */
  createAdmin(input: AdminInput): Promise<User>;
  /** Replaces a user's password; NOT_FOUND when no such email. */
  setPassword(email: string, password: string): Promise<void>;
  /** Creates config.admin if it does not exist yet; idempotent. Refuses an email held by a non-admin. */
  ensureAdminFromConfig(): Promise<{ created: boolean }>;
}

export interface UserPage {
  users: User[];
  total: number;
  page: number;
  pages: number;
}

export interface UsersServiceDeps {
  config: Pick<Config, "admin">;
  db: Db;
  logger: Logger;
  clock: Clock;
  /** scrypt cost; tests may lower it. */
  passwordParams?: ScryptParams;
}

const INVALID_CREDENTIALS_MESSAGE = "Email or password is incorrect";

export function createUsersService(deps: UsersServiceDeps): UsersService {
  const { db, clock, logger } = deps;
  const params = deps.passwordParams ?? DEFAULT_SCRYPT_PARAMS;
  // Verified against when the email is unknown, so a miss costs as much time as a wrong password.
  let decoyHash: Promise<string> | null = null;
  const decoy = () => {
    decoyHash ??= hashPassword("decoy password, never matches", params);
    return decoyHash;
  };

  async function create(input: {
    name: string;
    email: string;
    password: string;
    phoneNumber: string | null;
    role: User["role"];
  }): Promise<User> {
    const now = clock.now();
    const row = {
      id: newId("usr", now.getTime()),
      email: input.email,
      name: input.name,
      password_hash: await hashPassword(input.password, params),
      phone_number: input.phoneNumber,
      role: input.role,
      created_at: now.toISOString(),
    };
    try {
      await insertUser(db.kysely, row);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError("EMAIL_TAKEN", "An account with this email already exists; sign in instead");
      throw error;
    }
    return toUser(row);
  }

  const service: UsersService = {
    async register(input) {
      const email = normalizeEmail(input.email);
      const name = checkName(input.name);
      checkPassword(input.password);
      const given = input.phoneNumber?.trim() ?? "";
      const phoneNumber = given === "" ? null : checkPhone(given);
      if (await findUserByEmail(db.kysely, email))
        throw new AppError("EMAIL_TAKEN", "An account with this email already exists; sign in instead");
      return create({ name, email, password: input.password, phoneNumber, role: input.role ?? "customer" });
    },

    async login(input) {
      const email = input.email.trim().toLowerCase();
      const row = email.length <= 254 ? await findUserByEmail(db.kysely, email) : undefined;
      const password = input.password.slice(0, PASSWORD_MAX_LENGTH + 1);
      const matches = await verifyPassword(password, row?.password_hash ?? (await decoy()));
      if (!row || !matches) throw new AppError("INVALID_CREDENTIALS", INVALID_CREDENTIALS_MESSAGE);
      if (needsRehash(row.password_hash, params)) {
        const upgraded = await hashPassword(password, params);
        if (await upgradePasswordHash(db.kysely, row.id, row.password_hash, upgraded))
          logger.info({ userId: row.id, N: params.N }, "password hash upgraded");
      }
      return toUser(row);
    },

    async findById(id) {
      const row = await findUserById(db.kysely, id);
      return row ? toUser(row) : null;
    },

    async setPhoneNumber(actor, phoneNumber) {
      const row = await updatePhoneNumber(db.kysely, actor.id, checkPhone(phoneNumber));
      // A valid session for an account that no longer exists (deleted, or the database was reset).
      if (!row) throw new AppError("UNAUTHORIZED", "This account no longer exists; sign in again");
      return toUser(row);
    },

    async listTechnicians(actor, query) {
      if (actor.role !== "admin") throw new AppError("FORBIDDEN", "Only admins list technicians");
      const { rows, total } = await listTechnicians(db.kysely, {
        offset: (query.page - 1) * query.limit,
        limit: query.limit,
      });
      return { users: rows.map(toUser), total, page: query.page, pages: Math.ceil(total / query.limit) };
    },

    async createAdmin(input) {
      const email = normalizeEmail(input.email);
      checkPassword(input.password);
      const name = checkName(input.name ?? "Administrator");
      return create({ name, email, password: input.password, phoneNumber: null, role: "admin" });
    },

    async setPassword(emailInput, password) {
      const email = normalizeEmail(emailInput);
      checkPassword(password);
      const row = await findUserByEmail(db.kysely, email);
      if (!row) throw new AppError("NOT_FOUND", `No account has the email ${email}`);
      await updatePasswordHash(db.kysely, row.id, await hashPassword(password, params));
    },

    async ensureAdminFromConfig() {
      const admin = deps.config.admin;
      if (!admin) return { created: false };
      const existing = await findUserByEmail(db.kysely, admin.email);
      if (existing) {
        // Promoting an existing account would hand admin rights to whoever registered that email.
        if (existing.role !== "admin")
          throw new Error(
            `ADMIN_EMAIL ${admin.email} belongs to an existing ${existing.role} account; choose another email`,
          );
        return { created: false };
      }
      try {
        await service.createAdmin({ email: admin.email, password: admin.password.reveal() });
      } catch (error) {
        // Another process started at the same moment and created it first.
        if (error instanceof AppError && error.code === "EMAIL_TAKEN") return { created: false };
        throw error;
      }
      logger.info({ email: admin.email }, "admin account created from configuration");
      return { created: true };
    },
  };
  return service;
}
