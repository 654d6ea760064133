import { describe, expect, it } from "vitest";
import {
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  needsRehash,
  verifyPassword,
} from "../../../src/users/password.ts";

const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe("password hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct-horse", FAST);
    expect(await verifyPassword("correct-horse", hash)).toBe(true);
    expect(await verifyPassword("correct-horsf", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts every hash and stores its parameters", async () => {
    const a = await hashPassword("same password", FAST);
    const b = await hashPassword("same password", FAST);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toContain("same password");
  });

  it("uses at least OWASP's minimum scrypt cost (N=2^17, r=8, p=1) and verifies hashes made with it", async () => {
    expect(DEFAULT_SCRYPT_PARAMS.N).toBeGreaterThanOrEqual(2 ** 17);
    expect(DEFAULT_SCRYPT_PARAMS.r).toBeGreaterThanOrEqual(8);
    expect(DEFAULT_SCRYPT_PARAMS.p).toBeGreaterThanOrEqual(1);
    const hash = await hashPassword("default cost", DEFAULT_SCRYPT_PARAMS);
    expect(hash.startsWith(`scrypt$${DEFAULT_SCRYPT_PARAMS.N}$`)).toBe(true);
    expect(await verifyPassword("default cost", hash)).toBe(true);
  });

  it("treats Unicode-equivalent passwords as the same password", async () => {
    const hash = await hashPassword("caf\u00e9-secret", FAST);
    expect(await verifyPassword("cafe\u0301-secret", hash)).toBe(true);
  });

  it("refuses malformed or hostile stored hashes without throwing", async () => {
    const good = await hashPassword("pw-12345678", FAST);
    const parts = good.split("$");
    const variants = [
      "",
      "plaintext",
      "bcrypt$10$abc",
      ["scrypt", "1000", ...parts.slice(2)].join("$"), // N not a power of two
      ["scrypt", String(2 ** 30), ...parts.slice(2)].join("$"), // absurd cost
      ["scrypt", "1024", "8", "1", "", parts[5]].join("$"), // no salt
      ["scrypt", "1024", "8", "1", parts[4], "abc"].join("$"), // key too short
    ];
    for (const stored of variants) expect(await verifyPassword("pw-12345678", stored)).toBe(false);
  });

  it("asks for a rehash when the stored cost is below the current one", async () => {
    const weak = await hashPassword("pw-12345678", FAST);
    expect(needsRehash(weak, DEFAULT_SCRYPT_PARAMS)).toBe(true);
    // What the old default (N=2^15) stored is upgraded too.
    expect(
      needsRehash("scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"),
    ).toBe(true);
    expect(needsRehash(weak, FAST)).toBe(false);
    expect(needsRehash("garbage", FAST)).toBe(true);
  });
});
