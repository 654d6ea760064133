/**
 * Webhooks go only to the internet (unless WEBHOOKS_ALLOW_PRIVATE): an endpoint URL that names, or
 * resolves to, a loopback, private, link-local or otherwise special address is refused, so an admin
 * account cannot make Malipo probe its own network. The check runs inside the connection's DNS
 * lookup, so the address connected to is the very address checked (no second resolution an
 * attacker's DNS could answer differently). Every address a name resolves to must be public.
 */
import { promises as dns, lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";
import { isNonPublicHost } from "../network.ts";

/** Ranges beyond the private ones network.ts knows: shared, documentation, benchmark, multicast, reserved. */
const SPECIAL = new BlockList();
for (const [network, prefix] of [
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  SPECIAL.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [
  ["64:ff9b::", 96], // NAT64: reaches any IPv4 address, private ones included
  ["100::", 64],
  ["2001:db8::", 32],
  ["2002::", 16], // 6to4: embeds an IPv4 address
  ["ff00::", 8],
] as const)
  SPECIAL.addSubnet(network, prefix, "ipv6");

/** True when an IP address may be sent a webhook without WEBHOOKS_ALLOW_PRIVATE. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (isNonPublicHost(address)) return false;
  return !SPECIAL.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** Why a URL may not be an endpoint (before any DNS), or null when it may. */
export function urlProblem(value: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an https:// URL";
  if (url.protocol === "http:" && !allowPrivate)
    return "must be https:// (plain http only when WEBHOOKS_ALLOW_PRIVATE=true)";
  if (url.username || url.password) return "must not carry a user name or password";
  if (url.hash) return "must not have a #fragment";
  if (value.length > 2048) return "is longer than 2048 characters";
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) !== 0) return isPublicAddress(host) ? null : `${host} is not a public address`;
  if (isNonPublicHost(host)) return `${host} is a local or internal name`;
  return null;
}

export class AddressRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AddressRefused";
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `lookup` for http.request that refuses names resolving to any non-public address. */
export function guardedLookup(hostname: string, options: { all?: boolean }, callback: LookupCallback): void {
  dnsLookup(hostname, { all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused)
      return callback(
        new AddressRefused(`${hostname} resolves to ${refused.address}, not a public address`),
        [],
      );
    const first = addresses[0];
    if (!first) return callback(new AddressRefused(`${hostname} resolves to no address`), []);
    if (options.all) return callback(null, addresses);
    callback(null, first.address, first.family);
  });
}

/**
 * Why the URL's host may not be sent webhooks after resolving it, or null when every address it
 * resolves to is public (checked again on every request: DNS answers change).
 */
export async function resolvedHostProblem(value: string): Promise<string | null> {
  const host = new URL(value).hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) !== 0) return null;
  let addresses: LookupAddress[];
  try {
    addresses = await dns.lookup(host, { all: true });
  } catch {
    return `${host} does not resolve`;
  }
  const refused = addresses.find((a) => !isPublicAddress(a.address));
  return refused ? `${host} resolves to ${refused.address}, not a public address` : null;
}
