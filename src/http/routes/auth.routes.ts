/** Sign-up, sign-in and the current user. Admin accounts are never made here. */
import { type FastifyPluginAsyncTypebox, Type } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../../errors.ts";
import type { Services } from "../../services.ts";
import { authenticate, issueToken } from "../auth.ts";
import { addressAndEmailKey, type RateLimits, rateLimitError } from "../rate-limits.ts";
import { bearerAuth, errorResponses, Nullable, UserSchema } from "../schemas.ts";

export interface AuthRoutesOptions {
  services: Services;
  rateLimits: RateLimits;
}

const Session = Type.Object({
  success: Type.Literal(true),
  data: Type.Object({ user: UserSchema, token: Type.String() }),
});

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (
  app,
  { services, rateLimits },
) => {
  // Every sign-in costs a password hash check, so besides the per address+email limit below (which
  // a new email resets) each address has one budget for all emails. Checked before the body is read.
  const perAddress = app.createRateLimit({
    max: rateLimits.loginPerAddress.max,
    timeWindow: rateLimits.loginPerAddress.timeWindowMs,
  });
  async function limitLoginsPerAddress(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const limit = await perAddress(request);
    if (limit.isAllowed || !limit.isExceeded) return;
    reply.header("retry-after", limit.ttlInSeconds);
    const after = limit.ttlInSeconds === 1 ? "1 second" : `${limit.ttlInSeconds} seconds`;
    throw rateLimitError(request, { after, ttl: limit.ttl });
  }

  app.post(
    "/auth/register",
    {
      config: {
        rateLimit: { max: rateLimits.register.max, timeWindow: rateLimits.register.timeWindowMs },
      },
      schema: {
        tags: ["auth"],
        summary: "Create a customer or technician account",
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100 }),
          email: Type.String({ format: "email", maxLength: 254 }),
          password: Type.String({ minLength: 8, maxLength: 256 }),
          phoneNumber: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
          role: Type.Optional(Type.Enum(["customer", "technician"])),
        }),
        response: { 201: Session, ...errorResponses(400, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const user = await services.users.register(request.body);
      return reply.code(201).send({ success: true, data: { user, token: issueToken(app, user) } });
    },
  );

  app.post(
    "/auth/login",
    {
      onRequest: limitLoginsPerAddress,
      config: {
        rateLimit: {
          max: rateLimits.login.max,
          timeWindow: rateLimits.login.timeWindowMs,
          // After validation, so the key can include the email being tried.
          hook: "preHandler",
          keyGenerator: addressAndEmailKey,
        },
      },
      schema: {
        tags: ["auth"],
        summary: "Sign in with email and password",
        body: Type.Object({
          email: Type.String({ minLength: 1, maxLength: 254 }),
          password: Type.String({ minLength: 1, maxLength: 256 }),
        }),
        response: { 200: Session, ...errorResponses(400, 401, 413, 415, 429) },
      },
    },
    async (request) => {
      const user = await services.users.login(request.body);
      return { success: true as const, data: { user, token: issueToken(app, user) } };
    },
  );

  app.get(
    "/auth/me",
    {
      onRequest: [authenticate],
      schema: {
        tags: ["auth"],
        summary: "The signed-in user",
        security: bearerAuth,
        response: {
          200: Type.Object({ success: Type.Literal(true), data: Type.Object({ user: UserSchema }) }),
          ...errorResponses(401),
        },
      },
    },
    async (request) => {
      const user = await services.users.findById(request.user.id);
      if (!user) throw new AppError("UNAUTHORIZED", "This account no longer exists; sign in again");
      return { success: true as const, data: { user } };
    },
  );

  app.patch(
    "/auth/me",
    {
      onRequest: [authenticate],
      schema: {
        tags: ["auth"],
        summary: "Set your M-Pesa phone number (technicians' payouts and customers' prompts go there)",
        security: bearerAuth,
        body: Type.Object({ phoneNumber: Type.String({ minLength: 1, maxLength: 32 }) }),
        response: {
          200: Type.Object({ success: Type.Literal(true), data: Type.Object({ user: UserSchema }) }),
          ...errorResponses(400, 401, 413, 415),
        },
      },
    },
    async (request) => {
      const user = await services.users.setPhoneNumber(request.user, request.body.phoneNumber);
      return { success: true as const, data: { user } };
    },
  );
};
