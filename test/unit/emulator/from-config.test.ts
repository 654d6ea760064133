import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.ts";
import { emulatorOptionsFrom } from "../../../src/emulator/from-config.ts";
import { createLogger } from "../../../src/logger.ts";

describe("emulatorOptionsFrom", () => {
  const logger = createLogger("silent");

  it("carries every EMULATOR_* setting to the emulator, secrets revealed only here", () => {
    const config = loadConfig({
      EMULATOR_CONSUMER_KEY: "key-1",
      EMULATOR_CONSUMER_SECRET: "secret-1",
      EMULATOR_TIME_SCALE: "0.05",
      EMULATOR_STRICT_TIMESTAMP: "true",
      EMULATOR_TOKEN_TTL_SECONDS: "60",
      EMULATOR_MAX_RECORDS: "100000",
    });
    expect(emulatorOptionsFrom(config, logger)).toEqual({
      consumerKey: "key-1",
      consumerSecret: "secret-1",
      timeScale: 0.05,
      strictTimestamp: true,
      tokenTtlSeconds: 60,
      maxRecords: 100_000,
      logger,
    });
  });

  it("leaves the record sizes to the emulator when EMULATOR_MAX_RECORDS is unset", () => {
    expect(emulatorOptionsFrom(loadConfig({}), logger)).not.toHaveProperty("maxRecords");
  });
});
