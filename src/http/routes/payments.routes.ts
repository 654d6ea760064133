/**
 * `/api/v1/payments/mpesa/…` (api.md, Payments). Routes only translate HTTP ↔ the payments module:
 * validation and OpenAPI from the TypeBox schemas, money rules in `src/payments`.
 *
 * The callback route lives in its own encapsulated context with a catch-all string body parser:
 * every callback is stored exactly as received, including malformed or non-JSON ones.
 */
import { type Static, Type } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { InitiateStkPushInput } from "../../payments/initiate-push.ts";
import { PAYMENT_STATUSES } from "../../payments/state-machine.ts";
import type { Services } from "../../services.ts";
import type { Actor } from "../../users/user.ts";
import { type AuthUser, authenticate, requireRole } from "../auth.ts";
import { bearerAuth, errorResponses, Nullable, PageFields, PaginationQuery } from "../schemas.ts";
import {
  HEARTBEAT_MS,
  LIVE_STREAMS_PER_USER,
  StreamsPerUser,
  streamTransactionEvents,
} from "./payment-events-stream.ts";

export interface PaymentsRoutesOptions {
  services: Services;
  /** STK Pushes per signed-in user; the service also limits attempts per phone number. */
  stkPushLimit?: { max: number; timeWindowMs: number };
  /**
   * How often a live status stream sends a heartbeat and re-reads its transaction (default 15 s).
   * Changes arrive at once through the event bus; the re-read covers a change the bus could not
   * carry (another process on SQLite, a lost PostgreSQL notification).
   */
  liveRefreshMs?: number;
  /** Live status streams one account may hold open at once (default `LIVE_STREAMS_PER_USER`). */
  liveStreamsPerUser?: number;
}

export const TransactionSchema = Type.Object({
  id: Type.String(),
  bookingId: Type.String(),
  status: Type.Enum(PAYMENT_STATUSES),
  amount: Type.Integer(),
  currency: Type.Literal("KES"),
  phoneNumber: Type.String({ description: "Full for its owner, masked (2547****5678) for anyone else" }),
  mpesaReceiptNumber: Nullable(Type.String()),
  resultCode: Nullable(Type.String()),
  resultDesc: Nullable(Type.String()),
  failureReason: Nullable(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
  completedAt: Nullable(Type.String({ format: "date-time" })),
});

const StkPushBody = Type.Object({
  phoneNumber: Type.String({
    minLength: 1,
    maxLength: 32,
    description: "0712345678, 712345678, +254…, 254…",
  }),
  bookingId: Type.String({ minLength: 1, maxLength: 100 }),
  amount: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 250_000, description: "When sent, must equal the booking fee" }),
  ),
  type: Type.Literal("booking_fee"),
});

const StkPushHeaders = Type.Object({
  "idempotency-key": Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: "Repeat a request safely: same key, same answer",
    }),
  ),
});

const StkPushResponse = Type.Object({
  success: Type.Literal(true),
  message: Type.String(),
  data: Type.Object({
    transactionId: Type.String(),
    checkoutRequestId: Nullable(
      Type.String({ description: "Null while we confirm a push whose answer was lost" }),
    ),
    customerMessage: Type.String(),
  }),
});

const TransactionParams = Type.Object({ transactionId: Type.String({ minLength: 1, maxLength: 100 }) });

const HistoryQuery = Type.Object({
  ...PaginationQuery,
  status: Type.Optional(Type.Enum(PAYMENT_STATUSES)),
  userId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "Admins only" })),
});

const CallbackQuery = Type.Object({
  tx: Type.Optional(Type.String({ maxLength: 200 })),
  sig: Type.Optional(Type.String({ maxLength: 200 })),
});

const CallbackAccepted = Type.Object({ ResultCode: Type.Literal(0), ResultDesc: Type.Literal("Accepted") });

type StkPushRequest = FastifyRequest<{
  Body: Static<typeof StkPushBody>;
  Headers: Static<typeof StkPushHeaders>;
}>;

const pushInputOf = (request: StkPushRequest): InitiateStkPushInput => ({
  userId: actorOf(request).id,
  bookingId: request.body.bookingId,
  phoneNumber: request.body.phoneNumber,
  amount: request.body.amount,
  idempotencyKey: request.headers["idempotency-key"],
});

const actorOf = (request: FastifyRequest): Actor => {
  const user = request.user as AuthUser;
  return { id: user.id, role: user.role };
};

export async function paymentsRoutes(app: FastifyInstance, options: PaymentsRoutesOptions): Promise<void> {
  const payments = options.services.payments;
  const limit = options.stkPushLimit ?? { max: 10, timeWindowMs: 60_000 };
  const streams = new Set<() => void>();
  const refreshMs = options.liveRefreshMs ?? HEARTBEAT_MS;
  const perUser = new StreamsPerUser(options.liveStreamsPerUser ?? LIVE_STREAMS_PER_USER);
  app.addHook("preClose", async () => {
    for (const close of [...streams]) close();
  });

  app.post<{ Body: Static<typeof StkPushBody>; Headers: Static<typeof StkPushHeaders> }>(
    "/stkpush",
    {
      onRequest: [authenticate, requireRole("customer")],
      config: {
        rateLimit: {
          max: limit.max,
          timeWindow: limit.timeWindowMs,
          // Counted once the body is read, so a replay of an answered request (it gets the stored
          // answer) is let through without counting.
          hook: "preHandler",
          allowList: (request: FastifyRequest) =>
            payments.isAnsweredReplay(pushInputOf(request as StkPushRequest)),
          keyGenerator: (request: FastifyRequest) =>
            `stkpush|${(request.user as AuthUser | null)?.id ?? request.ip}`,
        },
      },
      schema: {
        tags: ["payments"],
        summary: "Send an M-Pesa STK Push for a booking fee",
        security: bearerAuth,
        body: StkPushBody,
        headers: StkPushHeaders,
        response: { 201: StkPushResponse, ...errorResponses(400, 401, 403, 404, 409, 422, 429, 502, 503) },
      },
    },
    async (request, reply) => {
      const answer = await payments.initiateStkPush(pushInputOf(request));
      return reply.code(201).send(answer);
    },
  );

  app.get<{ Params: Static<typeof TransactionParams> }>(
    "/status/:transactionId",
    {
      onRequest: [authenticate],
      schema: {
        tags: ["payments"],
        summary: "One payment attempt; asks M-Pesa when it has been pending for a while",
        security: bearerAuth,
        params: TransactionParams,
        response: {
          200: Type.Object({ success: Type.Literal(true), transaction: TransactionSchema }),
          ...errorResponses(401, 404),
        },
      },
    },
    async (request) => ({
      success: true as const,
      transaction: await payments.getStatus(actorOf(request), request.params.transactionId),
    }),
  );

  app.get<{ Params: Static<typeof TransactionParams>; Querystring: { access_token?: string } }>(
    "/status/:transactionId/events",
    {
      // EventSource cannot send headers: the token may come as `access_token` in the query.
      onRequest: [tokenFromQuery, authenticate],
      schema: {
        tags: ["payments"],
        summary: "Server-sent events: `status` with the transaction now and on every change until final",
        security: bearerAuth,
        params: TransactionParams,
        querystring: Type.Object({ access_token: Type.Optional(Type.String({ maxLength: 4096 })) }),
        produces: ["text/event-stream"],
        response: {
          200: Type.String({
            description:
              "A text/event-stream of `event: status` with `data: { transaction }`; ends when final",
          }),
          ...errorResponses(401, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const viewer = actorOf(request);
      const release = perUser.take(viewer.id);
      try {
        const first = await payments.getStatus(viewer, request.params.transactionId);
        streamTransactionEvents(request, reply, { payments, viewer, first, streams, refreshMs, release });
      } catch (error) {
        release();
        throw error;
      }
    },
  );

  app.get<{ Querystring: Static<typeof HistoryQuery> }>(
    "/history",
    {
      onRequest: [authenticate],
      schema: {
        tags: ["payments"],
        summary: "Payment attempts, newest first (own; admins: all or one user's)",
        security: bearerAuth,
        querystring: HistoryQuery,
        response: {
          200: Type.Object({ ...PageFields, transactions: Type.Array(TransactionSchema) }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) =>
      payments.listHistory(actorOf(request), {
        page: request.query.page ?? 1,
        limit: request.query.limit ?? 10,
        status: request.query.status,
        userId: request.query.userId,
      }),
  );

  await app.register(async (callbackScope) => {
    // Keep the body exactly as sent, whatever its content type (and even when it is not JSON).
    callbackScope.removeAllContentTypeParsers();
    callbackScope.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) =>
      done(null, body),
    );
    callbackScope.post<{ Querystring: Static<typeof CallbackQuery>; Body: unknown }>(
      "/callback",
      {
        // Every callback is stored, even one carrying NUL characters (the service escapes them).
        config: { storesNul: true },
        // Daraja reads no page from this route: browser security headers are dead weight on the
        // hottest path. Its own log lines (received, accepted, refused) stand for the access log.
        helmet: false,
        logLevel: "warn",
        schema: {
          tags: ["payments"],
          summary: "Daraja's STK callback (signed URL; no session)",
          querystring: CallbackQuery,
          response: { 200: CallbackAccepted, ...errorResponses(400, 403, 413, 429) },
        },
      },
      async (request, reply: FastifyReply) => {
        await payments.callbacks.receive({
          rawBody: typeof request.body === "string" ? request.body : "",
          tx: request.query.tx,
          sig: request.query.sig,
          sourceIp: request.ip ?? null,
        });
        return reply.code(200).send({ ResultCode: 0, ResultDesc: "Accepted" });
      },
    );
  });
}

async function tokenFromQuery(request: FastifyRequest): Promise<void> {
  const token = (request.query as { access_token?: unknown }).access_token;
  if (request.headers.authorization === undefined && typeof token === "string" && token.length > 0)
    request.headers.authorization = `Bearer ${token}`;
}
