/** The HTML pages (emulator home, simulated phone) and the phone's JSON endpoints. */
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { InitiatorSimulator } from "../initiator-simulator.ts";
import type { EmulatorSettings } from "../options.ts";
import { TEST_NUMBERS } from "../outcomes.ts";
import { renderIndexPage } from "../pages/index.page.ts";
import { outcomeMessage, phoneView, renderPhonePage } from "../pages/phone.page.ts";
import { PAYOUT_TEST_NUMBERS } from "../payout-outcomes.ts";
import {
  CancelBody,
  ControlError as ControlErrorSchema,
  documented,
  MsisdnParams,
  PinBody,
} from "../schemas.ts";
import type { Simulator } from "../simulator.ts";
import { msisdnParam } from "./control.routes.ts";

export interface PageRouteDeps {
  simulator: Simulator;
  initiators: InitiatorSimulator;
  settings: EmulatorSettings;
  baseUrl: () => string | null;
}

const tags = ["Phone"];
const HTML = "text/html; charset=utf-8";
const errors = { 400: ControlErrorSchema, 409: ControlErrorSchema };
const Answered = Type.Object({
  checkoutRequestId: Type.String(),
  resultCode: Type.Union([Type.String(), Type.Number(), Type.Null()]),
  message: Type.String(),
});

export function registerPageRoutes(parent: FastifyInstance, deps: PageRouteDeps): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { simulator, initiators, settings } = deps;

  const home = (_request: unknown, reply: { type(t: string): { send(body: string): unknown } }) =>
    reply.type(HTML).send(
      renderIndexPage({
        baseUrl: deps.baseUrl(),
        consumerKey: settings.consumerKey,
        consumerSecret: settings.consumerSecret,
        merchants: [...settings.merchants.values()],
        timeScale: simulator.scheduler.timeScale,
        testNumbers: TEST_NUMBERS,
        overrides: simulator.overrides,
        sessions: simulator.sessions.list({ limit: 50 }),
        deliveries: simulator.callbacks.list().slice(-50).reverse(),
        payoutTestNumbers: PAYOUT_TEST_NUMBERS,
        initiators: [...settings.initiators.values()],
        payoutOverrides: initiators.payoutOverrides,
        conversations: initiators.conversations.list({ limit: 50 }),
        accounts: [...settings.merchants.keys()].map((shortcode) => ({
          shortcode,
          ...initiators.accounts.balances(shortcode),
        })),
      }),
    );
  app.get("/__emulator", { schema: { hide: true } }, home);
  app.get("/__emulator/", { schema: { hide: true } }, home);

  const view = (msisdn: string) =>
    phoneView(
      msisdn,
      simulator.sessions.pendingFor(msisdn),
      simulator.sessions.list({ phoneNumber: msisdn, limit: 1 })[0],
      initiators.transactions.receivedBy(msisdn, 10),
    );

  app.get("/__emulator/phone/:msisdn", { schema: { hide: true, params: MsisdnParams } }, (request, reply) => {
    const msisdn = msisdnParam(request.params.msisdn);
    if (msisdn !== request.params.msisdn) return reply.redirect(`/__emulator/phone/${msisdn}`);
    return reply.type(HTML).send(renderPhonePage(view(msisdn)));
  });

  app.get(
    "/__emulator/phone/:msisdn/prompt",
    {
      schema: {
        tags,
        summary: "The prompt open on a phone (polled by the phone page)",
        params: MsisdnParams,
      },
    },
    (request) => view(msisdnParam(request.params.msisdn)),
  );

  const answered = (session: Parameters<typeof outcomeMessage>[0]) => ({
    checkoutRequestId: session.checkoutRequestId,
    resultCode: session.result?.resultCode ?? null,
    message: outcomeMessage(session),
  });

  app.post(
    "/__emulator/phone/:msisdn/pin",
    {
      schema: {
        tags,
        summary: "Type an M-PESA PIN: 0000 is a wrong PIN (2001), any other four digits pay",
        params: MsisdnParams,
        body: PinBody,
        response: documented({ 200: Answered, ...errors }),
      },
    },
    (request) => {
      const { checkoutRequestId, pin } = request.body;
      const msisdn = msisdnParam(request.params.msisdn);
      return answered(simulator.answerPrompt(msisdn, checkoutRequestId ?? null, { kind: "pin", pin }));
    },
  );

  app.post(
    "/__emulator/phone/:msisdn/cancel",
    {
      schema: {
        tags,
        summary: "Press Cancel on the prompt (1032)",
        params: MsisdnParams,
        body: CancelBody,
        response: documented({ 200: Answered, ...errors }),
      },
    },
    (request) => {
      const msisdn = msisdnParam(request.params.msisdn);
      return answered(
        simulator.answerPrompt(msisdn, request.body.checkoutRequestId ?? null, { kind: "cancel" }),
      );
    },
  );
}
