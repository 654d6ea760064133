import { describe, expect, it } from "vitest";
import { statementName } from "../../../src/db/postgres-statements.ts";
import { StatementCache } from "../../../src/db/statement-cache.ts";

describe("StatementCache", () => {
  it("makes a text's value once and hands the same one back", () => {
    const made: string[] = [];
    const cache = new StatementCache<{ text: string }>(10);
    const make = (text: string) => {
      made.push(text);
      return { text };
    };
    const first = cache.get("select 1", make);
    expect(cache.get("select 1", make)).toBe(first);
    expect(cache.get("select 2", make)).not.toBe(first);
    expect(made).toEqual(["select 1", "select 2"]);
    expect(cache.stats()).toEqual({ size: 2, prepares: 2, hits: 1, evictions: 0 });
  });

  it("holds at most its bound, evicting the least recently used", () => {
    const evicted: string[] = [];
    const cache = new StatementCache<string>(2, (_value, text) => evicted.push(text));
    const make = (text: string) => text.toUpperCase();
    cache.get("a", make);
    cache.get("b", make);
    cache.get("a", make); // a is now the most recent: b goes first
    cache.get("c", make);
    expect(evicted).toEqual(["b"]);
    cache.get("d", make);
    expect(evicted).toEqual(["b", "a"]);
    expect(cache.stats().size).toBe(2);
    // An evicted text is made again when it comes back.
    let remade = 0;
    cache.get("b", (text) => {
      remade++;
      return text;
    });
    expect(remade).toBe(1);
  });

  it("refuses a bound below one", () => {
    expect(() => new StatementCache(0)).toThrow(RangeError);
    expect(() => new StatementCache(1.5)).toThrow(RangeError);
  });

  it("a failed make caches nothing", () => {
    const cache = new StatementCache<string>(4);
    expect(() =>
      cache.get("selec 1", () => {
        throw new Error("syntax error");
      }),
    ).toThrow("syntax error");
    expect(cache.stats()).toEqual({ size: 0, prepares: 0, hits: 0, evictions: 0 });
  });
});

describe("statementName", () => {
  it("is the same for the same text, different for different texts, and fits PostgreSQL's 63 bytes", () => {
    const a = statementName('select * from "payment_transactions" where "id" = $1');
    expect(statementName('select * from "payment_transactions" where "id" = $1')).toBe(a);
    expect(statementName('select * from "payment_transactions" where "id" = $2')).not.toBe(a);
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(63);
  });
});
