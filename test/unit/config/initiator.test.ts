/**
 * The initiator's SecurityCredential made at start-up: as given; encrypted with the certificate at
 * MPESA_CERTIFICATE_PATH; with the embedded emulator's; or with a separately run emulator's, fetched
 * when first needed and fetched again after a failure. Errors name the variable and show no secret.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, type InitiatorConfig } from "../../../src/config.ts";
import { processCredentialKeys } from "../../../src/emulator/certificate.ts";
import { decryptSecurityCredential } from "../../../src/emulator/credentials.ts";
import { EMULATOR_CERTIFICATE_PATH, initiatorFromConfig } from "../../../src/initiator.ts";
import { Secret } from "../../../src/secret.ts";

const withPassword: InitiatorConfig = {
  b2cShortcode: "600992",
  name: "malipo_api",
  securityCredential: null,
  password: new Secret("initiator-password-1"),
  certificatePath: null,
};
const none = { embeddedPem: null, emulatorBaseUrl: null };

async function credentialOf(initiator: Awaited<ReturnType<typeof initiatorFromConfig>>): Promise<Secret> {
  const c = initiator.securityCredential;
  return typeof c === "function" ? c() : c;
}

describe("the initiator from the configuration", () => {
  it("uses a given SecurityCredential as it is", async () => {
    const given = new Secret("R2l2ZW4=");
    const initiator = await initiatorFromConfig(
      { ...withPassword, password: null, securityCredential: given },
      none,
    );
    expect(initiator).toEqual({ name: "malipo_api", b2cShortcode: "600992", securityCredential: given });
  });

  it("encrypts the password with the certificate file, or the embedded emulator's", async () => {
    const keys = await processCredentialKeys();
    const dir = mkdtempSync(join(tmpdir(), "malipo-cert-"));
    const path = join(dir, "mpesa.cer");
    writeFileSync(path, keys.certificatePem);
    for (const initiator of [
      await initiatorFromConfig({ ...withPassword, certificatePath: path }, none),
      await initiatorFromConfig(withPassword, { embeddedPem: keys.certificatePem, emulatorBaseUrl: null }),
    ])
      expect(decryptSecurityCredential((await credentialOf(initiator)).reveal(), keys)).toBe(
        "initiator-password-1",
      );
  });

  it("names MPESA_CERTIFICATE_PATH when the file is missing or no certificate", async () => {
    const missing = initiatorFromConfig({ ...withPassword, certificatePath: "/nonexistent/mpesa.cer" }, none);
    await expect(missing).rejects.toThrow(ConfigError);
    await expect(missing).rejects.toThrow(/MPESA_CERTIFICATE_PATH cannot be read \(ENOENT\)/);
    const dir = mkdtempSync(join(tmpdir(), "malipo-cert-"));
    writeFileSync(join(dir, "bad.cer"), "not a certificate");
    const bad = initiatorFromConfig({ ...withPassword, certificatePath: join(dir, "bad.cer") }, none);
    await expect(bad).rejects.toThrow(/MPESA_CERTIFICATE_PATH: the M-Pesa certificate is not an X\.509/);
    await expect(bad).rejects.not.toThrow(/initiator-password-1/);
  });

  it("fetches a separately run emulator's certificate when first needed, again after a failure", async () => {
    const keys = await processCredentialKeys();
    const asked: string[] = [];
    let up = false;
    const initiator = await initiatorFromConfig(withPassword, {
      embeddedPem: null,
      emulatorBaseUrl: "http://127.0.0.1:3001/",
      fetch: async (url) => {
        asked.push(url);
        if (!up) throw new Error("connect ECONNREFUSED");
        return new Response(keys.certificatePem, { status: 200 });
      },
    });
    expect(asked).toEqual([]);
    await expect(credentialOf(initiator)).rejects.toThrow(/ECONNREFUSED/);
    up = true;
    const credential = await credentialOf(initiator);
    expect(decryptSecurityCredential(credential.reveal(), keys)).toBe("initiator-password-1");
    await credentialOf(initiator);
    expect(asked).toEqual([
      `http://127.0.0.1:3001${EMULATOR_CERTIFICATE_PATH}`,
      `http://127.0.0.1:3001${EMULATOR_CERTIFICATE_PATH}`,
    ]);
  });
});
