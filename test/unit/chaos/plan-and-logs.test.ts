/**
 * The chaos run's plan comes from its seed alone, and its log scan finds what must never be logged
 * without naming the value.
 */
import { describe, expect, it } from "vitest";
import { scanLog, summariseFindings } from "../../../scripts/chaos/log-scan.ts";
import { makePlan } from "../../../scripts/chaos/plan.ts";

describe("the plan", () => {
  const input = { seed: "s1", payments: 120, processes: 2, kills: 3, horizonMs: 120_000 };

  it("is the same for the same seed, and another for another", () => {
    expect(makePlan(input)).toEqual(makePlan(input));
    expect(makePlan({ ...input, seed: "s2" }).payments).not.toEqual(makePlan(input).payments);
  });

  it("has every payment, a paid first prompt on each phone, at least the kills asked for", () => {
    const plan = makePlan(input);
    expect(plan.payments).toHaveLength(120);
    const first = new Map<string, string>();
    for (const p of plan.payments) if (!first.has(p.phone)) first.set(p.phone, p.outcome);
    expect([...first.values()].every((o) => o === "pay")).toBe(true);
    expect(new Set(plan.payments.map((p) => p.outcome)).size).toBeGreaterThan(8);
    expect(plan.kills.length).toBeGreaterThanOrEqual(3);
    expect(new Set(plan.kills.map((k) => k.target))).toEqual(new Set([0, 1]));
    // Numbers no emulator test number uses.
    for (const c of plan.customers) for (const phone of c.phones) expect(phone).toMatch(/^25472\d{7}$/);
    expect(plan.receiver.at(-1)?.mode).toBe("up");
    expect(
      plan.receiver.some((w) => w.mode === "error") && plan.receiver.some((w) => w.mode === "timeout"),
    ).toBe(true);
  });
});

describe("the log scan", () => {
  const known = { password: ["correct-horse-battery"], "session token": ["short"] };

  it("finds full numbers, tokens, secrets and known values in log records, never masked ones", () => {
    const log = [
      '{"msg":"paid","phone":"2547****0001"}',
      '{"msg":"paid 2 of 3","phone":"254720000001"}',
      '{"msg":"request completed","responseTime":1329.254172999994}',
      '{"msg":"x","auth":"Bearer abcdefghijkl"}',
      '{"msg":"x","t":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop"}',
      '{"msg":"x","password":"[Redacted]"}',
      '{"msg":"login","body":{"password":"correct-horse-battery"}}',
      "  Test numbers      0708374149 pays",
    ].join("\n");
    const findings = scanLog("malipo-1.log", log, known);
    expect(findings.map((f) => [f.line, f.kind])).toEqual([
      [2, "full phone number"],
      [4, "bearer token"],
      [5, "session token (JWT)"],
      [7, "password field"],
      [7, "password"],
    ]);
    expect(summariseFindings(findings)).toContain(
      'full phone number in malipo-1.log on 1 line(s), first at line 2 (key "phone" in "paid # of #")',
    );
    expect(summariseFindings(findings)).toContain("password in malipo-1.log on 1 line(s), first at line 7");
    expect(summariseFindings(findings).join(" ")).not.toContain("correct-horse-battery");
  });
});
