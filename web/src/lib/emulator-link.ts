/** The simulated phone's page for a number, when the server runs against the Daraja emulator. */
export function emulatorPhoneUrl(
  config: { mpesaEnvironment: string; emulatorPhoneUrlTemplate: string | null } | null,
  msisdn: string,
): string | null {
  if (config?.mpesaEnvironment !== "emulator" || !config.emulatorPhoneUrlTemplate) return null;
  return config.emulatorPhoneUrlTemplate.replace("{msisdn}", encodeURIComponent(msisdn));
}
