/**
 * The API operator the Daraja client sends money out as, made from the configuration at start-up:
 * the SecurityCredential as given, or the initiator password encrypted with M-Pesa's certificate
 * (MPESA_CERTIFICATE_PATH). In emulator mode without a certificate file, the emulator's own: the
 * embedded one's directly, a separately run one's fetched from `GET /__emulator/certificate` (it
 * makes a new key pair each time it starts) when the first payout needs it, and again at the next
 * one after a failure — the emulator may start after Malipo, and nothing waits on it at start-up. Failures name the variable; no
 * secret is ever shown.
 */
import { readFile } from "node:fs/promises";
import { ConfigError, type InitiatorConfig } from "./config.ts";
import type { InitiatorOptions } from "./daraja/client.ts";
import { encryptSecurityCredential, SecurityCredentialError } from "./daraja/security-credential.ts";
import type { Secret } from "./secret.ts";

export const EMULATOR_CERTIFICATE_PATH = "/__emulator/certificate";

export interface CertificateSources {
  /** Emulator mode: the embedded emulator's PEM, when the client talks to it. */
  embeddedPem: string | null;
  /** Emulator mode: the base URL of the emulator the client talks to. */
  emulatorBaseUrl: string | null;
  fetch?: (url: string) => Promise<Response>;
}

async function readCertificateFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new ConfigError([
      `MPESA_CERTIFICATE_PATH cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}): ${path}`,
    ]);
  }
}

async function fetchEmulatorCertificate(baseUrl: string, sources: CertificateSources): Promise<string> {
  const url = `${baseUrl.replace(/\/+$/, "")}${EMULATOR_CERTIFICATE_PATH}`;
  const get = sources.fetch ?? ((u: string) => fetch(u, { signal: AbortSignal.timeout(10_000) }));
  let response: Response;
  try {
    response = await get(url);
  } catch (error) {
    throw new Error(`Could not fetch the emulator's certificate from ${url}: ${(error as Error).message}`);
  }
  if (!response.ok)
    throw new Error(
      `Could not fetch the emulator's certificate from ${url}: HTTP ${response.status}; set MPESA_CERTIFICATE_PATH or MPESA_SECURITY_CREDENTIAL`,
    );
  return response.text();
}

function encrypt(password: Secret, certificate: string | Buffer): Secret {
  try {
    return encryptSecurityCredential(password, certificate);
  } catch (error) {
    if (!(error instanceof SecurityCredentialError)) throw error;
    const variable = error.problem.startsWith("password")
      ? "MPESA_INITIATOR_PASSWORD"
      : "MPESA_CERTIFICATE_PATH";
    throw new ConfigError([`${variable}: ${error.message}`]);
  }
}

/** The initiator for the Daraja client; a file or embedded certificate is read now (errors stop start-up). */
export async function initiatorFromConfig(
  config: InitiatorConfig,
  sources: CertificateSources,
): Promise<InitiatorOptions> {
  const base = { name: config.name, b2cShortcode: config.b2cShortcode };
  if (config.securityCredential !== null) return { ...base, securityCredential: config.securityCredential };
  const password = config.password;
  if (password === null) throw new ConfigError(["MPESA_INITIATOR_PASSWORD is required"]);
  if (config.certificatePath !== null)
    return {
      ...base,
      securityCredential: encrypt(password, await readCertificateFile(config.certificatePath)),
    };
  if (sources.embeddedPem !== null)
    return { ...base, securityCredential: encrypt(password, sources.embeddedPem) };
  const emulatorBaseUrl = sources.emulatorBaseUrl;
  if (emulatorBaseUrl === null)
    throw new ConfigError(["MPESA_CERTIFICATE_PATH is required to encrypt MPESA_INITIATOR_PASSWORD"]);
  // Fetched once it can be; a failed fetch is tried again at the next call.
  let made: Promise<Secret> | null = null;
  const credential = () => {
    if (made === null) {
      const attempt = fetchEmulatorCertificate(emulatorBaseUrl, sources).then((pem) =>
        encrypt(password, pem),
      );
      attempt.catch(() => {
        if (made === attempt) made = null;
      });
      made = attempt;
    }
    return made;
  };
  return { ...base, securityCredential: credential };
}
