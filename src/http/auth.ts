/**
 * Sessions are stateless JWTs (HS256 under JWT_SECRET, expiring after JWT_EXPIRES_IN) carrying the
 * user's id, role and email. `authenticate` and `requireRole` are route hooks: use them as
 * `onRequest: [authenticate, requireRole("customer")]` (so unauthenticated requests are refused
 * before their body is read) or as preHandlers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../errors.ts";
import { USER_ROLES, type User, type UserRole } from "../users/user.ts";

/** Who made an authenticated request: `request.user`. */
export interface AuthUser {
  id: string;
  role: UserRole;
  email: string;
}

/** The claims inside a session token. */
export interface SessionClaims {
  sub: string;
  role: UserRole;
  email: string;
}

declare module "@fastify/jwt" {
  interface FastifyJWT {
    payload: SessionClaims;
    user: AuthUser;
  }
}

/** Maps verified claims to `request.user`; used as @fastify/jwt's `formatUser`. */
export function userFromClaims(claims: SessionClaims): AuthUser {
  return { id: claims.sub, role: claims.role, email: claims.email };
}

function isSessionClaims(value: unknown): value is SessionClaims {
  if (typeof value !== "object" || value === null) return false;
  const claims = value as Record<string, unknown>;
  return (
    typeof claims.sub === "string" &&
    typeof claims.email === "string" &&
    typeof claims.role === "string" &&
    (USER_ROLES as readonly string[]).includes(claims.role)
  );
}

const MISSING = "Sign in: send Authorization: Bearer <token>";
const INVALID = "Your session is invalid or has expired; sign in again";

/** Verifies the Bearer token and sets `request.user`; 401 UNAUTHORIZED when missing, invalid or expired. */
export async function authenticate(request: FastifyRequest, _reply?: FastifyReply): Promise<void> {
  const header = request.headers.authorization;
  if (typeof header !== "string" || !/^Bearer\s+\S+$/i.test(header.trim()))
    throw new AppError("UNAUTHORIZED", MISSING);
  let claims: unknown;
  try {
    claims = await request.jwtVerify<SessionClaims>();
  } catch {
    throw new AppError("UNAUTHORIZED", INVALID);
  }
  if (!isSessionClaims(claims)) throw new AppError("UNAUTHORIZED", INVALID);
  request.user = userFromClaims(claims);
}

/** A hook that allows only the given roles (after `authenticate`); 403 FORBIDDEN otherwise. */
export function requireRole(...roles: UserRole[]) {
  return async function requireRoleHook(request: FastifyRequest, _reply?: FastifyReply): Promise<void> {
    // request.user is decorated as null until authenticate sets it.
    const user = request.user as AuthUser | null | undefined;
    if (!user?.role) throw new AppError("UNAUTHORIZED", MISSING);
    if (!roles.includes(user.role))
      throw new AppError("FORBIDDEN", `Only ${roles.join(" or ")} accounts can do this`);
  };
}

/** Signs a session token for a user. */
export function issueToken(app: FastifyInstance, user: Pick<User, "id" | "role" | "email">): string {
  return app.jwt.sign({ sub: user.id, role: user.role, email: user.email });
}
