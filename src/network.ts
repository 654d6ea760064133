/**
 * Addresses in configuration: which proxies to believe (TRUST_PROXY) and whether a URL's host could
 * be reached from the internet (Daraja must call us back there). Pure; no DNS lookups.
 */
import { BlockList, isIP } from "node:net";

/** proxy-addr's (and so Fastify's) names for ranges, accepted in TRUST_PROXY lists. */
const NAMED_RANGES = ["loopback", "linklocal", "uniquelocal"];

/** One TRUST_PROXY list entry: an address, an address/prefix network, or a named range. */
export function isProxyEntry(entry: string): boolean {
  if (NAMED_RANGES.includes(entry)) return true;
  const [address, prefix, extra] = entry.split("/");
  const family = isIP(address ?? "");
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

export type TrustProxy = false | number | readonly string[];

/**
 * `false` (unset, `false` or `0`), a hop count (`1`: one load balancer in front), or a list of proxy
 * addresses/networks. Throws a message for anything else; `true` is refused because it would believe
 * an X-Forwarded-For written by the client itself.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || value === "false" || value === "0") return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) throw new Error(`a hop count is at most 10 (got "${value}")`);
    return hops;
  }
  if (value === "true")
    throw new Error(
      "true would believe any client's X-Forwarded-For; give the number of proxies in front (e.g. 1) or their addresses",
    );
  const entries = value
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = entries.filter((entry) => !isProxyEntry(entry));
  if (entries.length === 0 || bad.length > 0)
    throw new Error(
      `must be a hop count or a comma-separated list of addresses, networks (10.0.0.0/8) or loopback/linklocal/uniquelocal (not ${bad.map((b) => `"${b}"`).join(", ") || `"${value}"`})`,
    );
  return entries;
}

const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, "ipv6");

/**
 * True when `hostname` (as `URL.hostname` gives it) is certainly not reachable from the internet:
 * a loopback, private, link-local or unspecified address (IPv4-mapped ones too), `localhost`,
 * or a name that only resolves inside a network (no dot, `.localhost`, `.local`, `.internal`).
 */
export function isNonPublicHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const family = isIP(host);
  if (family === 4) return NOT_PUBLIC.check(host, "ipv4");
  // BlockList checks an IPv4-mapped IPv6 address (::ffff:7f00:1) against the IPv4 ranges too.
  if (family === 6) return NOT_PUBLIC.check(host, "ipv6");
  const name = host.replace(/\.$/, "");
  return (
    !name.includes(".") ||
    name === "localhost" ||
    name.endsWith(".localhost") ||
    name.endsWith(".local") ||
    name.endsWith(".internal")
  );
}
