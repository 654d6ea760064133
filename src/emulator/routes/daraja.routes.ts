/**
 * Daraja's own paths: OAuth, STK Push and STK Push Query. Checks run in the gateway's order —
 * method (405.001), token (404.001.03), body and fields (400.002.02), merchant and Password
 * (500.001.1001), then the subscriber — and every answer is written exactly as Daraja writes it.
 */
import type { FastifyInstance } from "fastify";
import { GATEWAY_UNAVAILABLE_HTML, rejections } from "../errors.ts";
import type { EmulatorSettings } from "../options.ts";
import { RESULTS } from "../outcomes.ts";
import type { RequestLog } from "../requests.ts";
import { DarajaError, StkPushAccepted, StkPushBody, StkQueryAnswer, StkQueryBody } from "../schemas.ts";
import type { Simulator } from "../simulator.ts";
import { basicCredentialsOf, type TokenStore } from "../tokens.ts";
import { validateStkPush, validateStkQuery } from "../validation.ts";
import { bodyOf, darajaReplies, passThrough } from "./daraja-replies.ts";

export const OAUTH_PATH = "/oauth/v1/generate";
export const STK_PUSH_PATH = "/mpesa/stkpush/v1/processrequest";
export const STK_QUERY_PATH = "/mpesa/stkpushquery/v1/query";

export interface DarajaRouteDeps {
  simulator: Simulator;
  tokens: TokenStore;
  requests: RequestLog;
  settings: EmulatorSettings;
}

export function registerDarajaRoutes(app: FastifyInstance, deps: DarajaRouteDeps): void {
  const { simulator, tokens, settings } = deps;
  const { record, sendJson, reject, authorised, drop, methodNotAllowed } = darajaReplies(app, deps);

  const validationContext = () => ({
    merchants: settings.merchants,
    strictTimestamp: settings.strictTimestamp,
    now: simulator.now(),
  });

  app.get(
    OAUTH_PATH,
    {
      ...passThrough,
      schema: {
        tags: ["Daraja"],
        summary: "OAuth: an access token for Basic auth base64(consumerKey:consumerSecret)",
        querystring: {
          type: "object",
          properties: { grant_type: { type: "string", enum: ["client_credentials"] } },
        },
        response: {
          200: {
            type: "object",
            properties: { access_token: { type: "string" }, expires_in: { type: "string", example: "3599" } },
          },
          400: { ...DarajaError, description: "400.008.01 / 400.008.02; wrong key or secret: empty body" },
        },
      },
    },
    (request, reply) => {
      const credentials = basicCredentialsOf(request.headers.authorization);
      if (credentials === null) return reject(request, reply, rejections.invalidAuthentication);
      const grantType = (request.query as Record<string, unknown>).grant_type;
      if (grantType !== "client_credentials") return reject(request, reply, rejections.invalidGrantType);
      if (credentials.key !== settings.consumerKey || credentials.secret !== settings.consumerSecret) {
        // Observed on Daraja: well-formed Basic auth with unknown credentials answers 400 and no body.
        record(request, 400);
        return reply.code(400).send();
      }
      const { token, expiresInSeconds } = tokens.issue();
      return sendJson(request, reply, 200, { access_token: token, expires_in: String(expiresInSeconds) });
    },
  );
  methodNotAllowed("GET", OAUTH_PATH);

  app.post(
    STK_PUSH_PATH,
    {
      ...passThrough,
      schema: {
        tags: ["Daraja"],
        summary: "M-Pesa Express (STK Push): send a payment prompt to a phone",
        security: [{ bearer: [] }],
        body: StkPushBody,
        response: {
          200: StkPushAccepted,
          400: DarajaError,
          404: DarajaError,
          405: DarajaError,
          500: DarajaError,
          503: { type: "string", description: "HTML from the gateway (test number 254700009005)" },
        },
      },
    },
    (request, reply) => {
      if (!authorised(request)) return reject(request, reply, rejections.invalidAccessToken);
      const valid = validateStkPush(bodyOf(request), validationContext());
      if (!valid.ok) return reject(request, reply, valid.rejection);
      const decision = simulator.stkPush(valid.value);
      switch (decision.kind) {
        case "rejected":
          return reject(request, reply, decision.rejection);
        case "gateway_unavailable":
          record(request, 503);
          return reply.code(503).type("text/html").send(GATEWAY_UNAVAILABLE_HTML);
        case "accepted": {
          const { session } = decision;
          if (decision.responseLost) {
            // The push is accepted and will run its course, but the client never hears so: the
            // connection stays silent (the client times out), then closes after the hold.
            return drop(request, reply, settings.responseLostHoldMs, {
              checkoutRequestId: session.checkoutRequestId,
            });
          }
          return sendJson(
            request,
            reply,
            200,
            {
              MerchantRequestID: session.merchantRequestId,
              CheckoutRequestID: session.checkoutRequestId,
              ResponseCode: "0",
              ResponseDescription: "Success. Request accepted for processing",
              CustomerMessage: "Success. Request accepted for processing",
            },
            { checkoutRequestId: session.checkoutRequestId },
          );
        }
        default: {
          const _exhaustive: never = decision;
          return _exhaustive;
        }
      }
    },
  );
  methodNotAllowed("POST", STK_PUSH_PATH);

  app.post(
    STK_QUERY_PATH,
    {
      ...passThrough,
      schema: {
        tags: ["Daraja"],
        summary: "STK Push Query: the state of a push by CheckoutRequestID",
        security: [{ bearer: [] }],
        body: StkQueryBody,
        response: {
          200: StkQueryAnswer,
          400: DarajaError,
          404: DarajaError,
          405: DarajaError,
          500: DarajaError,
        },
      },
    },
    (request, reply) => {
      if (!authorised(request)) return reject(request, reply, rejections.invalidAccessToken);
      const valid = validateStkQuery(bodyOf(request), validationContext());
      if (!valid.ok) return reject(request, reply, valid.rejection);
      const decision = simulator.stkQuery(valid.value);
      switch (decision.kind) {
        case "rejected":
          return reject(request, reply, decision.rejection);
        case "processing": {
          const id = decision.session.checkoutRequestId;
          if (settings.queryProcessingStyle === "500")
            return reject(request, reply, rejections.beingProcessed(id));
          return sendJson(
            request,
            reply,
            200,
            { ResultCode: "4999", ResultDesc: "The transaction is still under processing" },
            { checkoutRequestId: id },
          );
        }
        case "final": {
          const { session } = decision;
          const result = session.result!;
          return sendJson(
            request,
            reply,
            200,
            {
              ResponseCode: "0",
              ResponseDescription: "The service request has been accepted successsfully",
              MerchantRequestID: session.merchantRequestId,
              CheckoutRequestID: session.checkoutRequestId,
              ResultCode: String(result.resultCode),
              ResultDesc: RESULTS[result.kind].queryDesc,
            },
            { checkoutRequestId: session.checkoutRequestId },
          );
        }
        default: {
          const _exhaustive: never = decision;
          return _exhaustive;
        }
      }
    },
  );
  methodNotAllowed("POST", STK_QUERY_PATH);
}
