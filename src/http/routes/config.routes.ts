/**
 * `GET /api/v1/config`: what the web app needs to know about this deployment — which M-Pesa it talks
 * to, the booking fee and how it is split on release (commission, whether an admin approves payouts),
 * and in emulator mode where the simulated phone is, so a demo needs no phone.
 */
import { type FastifyPluginAsyncTypebox, Type } from "@fastify/type-provider-typebox";
import type { Config } from "../../config.ts";

export interface ConfigRoutesOptions {
  config: Readonly<Config>;
  /** The emulator's base URL when it runs in this process. */
  emulatorUrl?: string;
}

export const configRoutes: FastifyPluginAsyncTypebox<ConfigRoutesOptions> = async (
  app,
  { config, emulatorUrl },
) => {
  const emulatorBase =
    config.mpesa.environment === "emulator"
      ? (emulatorUrl ?? `http://127.0.0.1:${config.emulator.port}`)
      : null;
  const data = {
    mpesaEnvironment: config.mpesa.environment,
    emulatorPhoneUrlTemplate: emulatorBase ? `${emulatorBase}/__emulator/phone/{msisdn}` : null,
    bookingFeeKes: config.bookingFeeKes,
    currency: "KES" as const,
    commissionPercent: config.escrow.commissionPercent,
    payoutApproval: config.escrow.payoutApproval,
  };
  app.get(
    "/config",
    {
      schema: {
        tags: ["operations"],
        summary: "Public settings of this deployment for the web app",
        response: {
          200: Type.Object({
            success: Type.Literal(true),
            data: Type.Object({
              mpesaEnvironment: Type.Union([
                Type.Literal("emulator"),
                Type.Literal("sandbox"),
                Type.Literal("production"),
              ]),
              emulatorPhoneUrlTemplate: Type.Union([Type.String(), Type.Null()]),
              bookingFeeKes: Type.Integer(),
              currency: Type.Literal("KES"),
              commissionPercent: Type.Integer({
                description: "PLATFORM_COMMISSION_PERCENT: the platform's share of a released fee",
              }),
              payoutApproval: Type.Union([Type.Literal("auto"), Type.Literal("admin")], {
                description: "PAYOUT_APPROVAL: admin means payouts wait for an admin's approval",
              }),
            }),
          }),
        },
      },
    },
    async () => ({ success: true as const, data }),
  );
};
