import { describe, expect, it } from "vitest";
import { isNonPublicHost, isProxyEntry } from "../../../src/network.ts";

describe("addresses in configuration", () => {
  it.each([
    "127.0.0.1",
    "127.8.9.1",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "[::1]",
    "[::]",
    "[fd00::1]",
    "[fe80::1]",
    "[::ffff:7f00:1]",
    "[::ffff:a00:1]",
    "localhost",
    "api.localhost",
    "printer.local",
    "db.internal",
    "malipo",
  ])("%s is not reachable from the internet", (host) => {
    expect(isNonPublicHost(host)).toBe(true);
  });

  it.each(["pay.example.com", "203.0.113.10", "172.32.0.1", "8.8.8.8", "[2001:db8::1]", "[::ffff:808:808]"])(
    "%s may be public",
    (host) => {
      expect(isNonPublicHost(host)).toBe(false);
    },
  );

  it("knows a proxy entry from anything else", () => {
    for (const entry of ["10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "loopback", "linklocal", "uniquelocal"])
      expect(isProxyEntry(entry), entry).toBe(true);
    for (const entry of ["10.0.0.0/33", "fd00::/129", "10.0.0.0/8/1", "proxy", "10.0.0", "10.0.0.0/x", ""])
      expect(isProxyEntry(entry), entry).toBe(false);
  });
});
