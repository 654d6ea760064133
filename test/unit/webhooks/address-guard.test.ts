/** Which endpoint URLs and addresses may be sent webhooks without WEBHOOKS_ALLOW_PRIVATE. */
import { describe, expect, it } from "vitest";
import {
  AddressRefused,
  guardedLookup,
  isPublicAddress,
  urlProblem,
} from "../../../src/webhooks/address-guard.ts";

describe("addresses", () => {
  it("refuses loopback, private, link-local, shared, documentation, multicast and reserved ones", () => {
    for (const address of [
      "127.0.0.1",
      "127.8.9.10",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "192.0.2.10",
      "198.18.0.1",
      "224.0.0.1",
      "255.255.255.255",
      "::1",
      "::",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
      "64:ff9b::a00:1",
      "2002:a00:1::",
      "2001:db8::1",
      "ff02::1",
      "not-an-address",
    ])
      expect(isPublicAddress(address), address).toBe(false);
  });

  it("accepts public ones", () => {
    for (const address of ["8.8.8.8", "196.201.214.200", "172.32.0.1", "2a00:1450:4001:82b::200e", "1.1.1.1"])
      expect(isPublicAddress(address), address).toBe(true);
  });
});

describe("endpoint URLs", () => {
  it("must be https to a public host unless private addresses are allowed", () => {
    expect(urlProblem("https://hooks.example.com/malipo", false)).toBeNull();
    expect(urlProblem("https://8.8.8.8/hook", false)).toBeNull();
    expect(urlProblem("http://hooks.example.com/malipo", false)).toMatch(/https/);
    expect(urlProblem("https://127.0.0.1:8080/hook", false)).toMatch(/127\.0\.0\.1 is not a public address/);
    expect(urlProblem("https://[::1]/hook", false)).toMatch(/not a public address/);
    expect(urlProblem("https://localhost/hook", false)).toMatch(/local or internal/);
    expect(urlProblem("https://metadata.internal/hook", false)).toMatch(/local or internal/);
    expect(urlProblem("https://intranet/hook", false)).toMatch(/local or internal/);
  });

  it("may be plain http and private when allowed", () => {
    expect(urlProblem("http://127.0.0.1:8080/hook", true)).toBeNull();
    expect(urlProblem("http://localhost/hook", true)).toBeNull();
  });

  it("are refused for other schemes, credentials, fragments, or not being URLs at all", () => {
    for (const allow of [true, false]) {
      expect(urlProblem("ftp://hooks.example.com/", allow)).toMatch(/https/);
      expect(urlProblem("file:///etc/passwd", allow)).toMatch(/https/);
      expect(urlProblem("https://user:pass@hooks.example.com/", allow)).toMatch(/password/);
      expect(urlProblem("https://hooks.example.com/#frag", allow)).toMatch(/fragment/);
      expect(urlProblem("not a url", allow)).toMatch(/not a URL/);
      expect(urlProblem(`https://hooks.example.com/${"a".repeat(2100)}`, allow)).toMatch(/2048/);
    }
  });
});

describe("the lookup a request connects through", () => {
  const lookup = (hostname: string) =>
    new Promise<{ error: Error | null; address: unknown }>((resolve) =>
      guardedLookup(hostname, {}, (error, address) => resolve({ error, address })),
    );

  it("refuses a name that resolves to a loopback address, before any connection", async () => {
    // localhost resolves from the hosts file: no network needed.
    const { error } = await lookup("localhost");
    expect(error).toBeInstanceOf(AddressRefused);
    expect(error?.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1), not a public address/);
  });
});
