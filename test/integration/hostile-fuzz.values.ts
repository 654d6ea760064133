/**
 * The hostile values and request parts the fuzz (hostile-fuzz.test.ts) throws at every route, as
 * fast-check arbitraries: injection strings (SQL, HTML, path traversal, template and prototype
 * names), huge and odd text, wrong types, giant, negative and fractional numbers,
 * prototype-polluting objects, deep nesting; hostile path segments, query strings, content types
 * and header text. Bodies: hostile-fuzz.bodies.ts.
 */
import fc from "fast-check";

/** Text an attacker tries in any field. */
export const INJECTIONS = [
  "' OR '1'='1' --",
  "1; DROP TABLE payment_transactions; --",
  "admin'--",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "javascript:alert(1)",
  "../../../../etc/passwd",
  "..\\..\\windows\\win.ini",
  "%2e%2e%2f%2e%2e%2fpackage.json",
  "/etc/passwd\u0000.png",
  "\x24{7*7}",
  "{{7*7}}",
  "$(id)",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "null",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "0x1F4",
  "\uFEFF500",
  "\u202E500",
  "\uD800",
  "💸💸💸",
  "",
  " ",
  "\r\n",
  "0708374149\n",
  "+254 708 374 149",
  "254708374149,254711111111",
  '{"$ne":null}',
  "%",
  "%00",
  "\\u0000",
];

const NUMBERS = [
  0,
  -1,
  -500,
  0.5,
  499.99,
  500.0000001,
  1e308,
  -1e308,
  2 ** 53 + 2,
  5e-324,
  1e21,
  500,
  250_001,
];

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
};

/** Objects that try to reach Object.prototype or claim a role through a parser. */
export const POLLUTERS = [
  JSON.parse('{"__proto__":{"role":"admin","isAdmin":true}}'),
  JSON.parse('{"constructor":{"prototype":{"role":"admin"}}}'),
  JSON.parse('{"__proto__":null}'),
];

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(300, 5_000, 70_000).map((n) => "x".repeat(n)) },
  { weight: 3, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true })) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(true, false, null, [], {}, [[]], ["a", 1, null]) },
  { weight: 1, arbitrary: fc.constantFrom(...POLLUTERS) },
  { weight: 1, arbitrary: fc.constantFrom(50, 2_000).map((depth) => nested(depth)) },
);

/** A path segment: kept, one of the known ids, or hostile (percent-encoded, or raw). */
export function fuzzSegment(base: string, known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(base) },
    { weight: 2, arbitrary: fc.constantFrom(...known) },
    { weight: 3, arbitrary: hostileValue.map((v) => encodeSafely(String(v)).slice(0, 300)) },
    { weight: 1, arbitrary: fc.constantFrom("..", "%", "%00", "%E0%A4%A", "a/b", ".%2e", "p".repeat(101)) },
  );
}

/** Changes to a query string: a value made hostile, repeated, dropped, or keys that probe parsers. */
export function fuzzQuery(base: URLSearchParams, names: readonly string[], known: readonly string[]) {
  const keys = [...new Set([...base.keys(), ...names])];
  const value = fc.oneof(
    hostileValue.map((v) => String(typeof v === "object" ? JSON.stringify(v) : v)),
    fc.constantFrom(...known),
  );
  const edits: Array<fc.Arbitrary<{ label: string; query: URLSearchParams }>> = [
    fc.constant({ label: "query as sent", query: base }),
    fc
      .constantFrom("__proto__[role]=admin", "constructor[prototype][role]=admin", "a[b][c]=d", "toString=1")
      .map((extra) => ({ label: `query ${extra}`, query: new URLSearchParams(`${base}&${extra}`) })),
  ];
  if (keys.length > 0) {
    const key = fc.constantFrom(...keys);
    edits.push(
      fc.tuple(key, value).map(([k, v]) => edit(base, `${k} = hostile`, (q) => q.set(k, v.slice(0, 5_000)))),
      fc.tuple(key, value).map(([k, v]) => edit(base, `${k} twice`, (q) => q.append(k, v.slice(0, 300)))),
      key.map((k) => edit(base, `${k} dropped`, (q) => q.delete(k))),
    );
  }
  return fc.oneof(...edits);
}

function edit(base: URLSearchParams, label: string, change: (q: URLSearchParams) => void) {
  const query = new URLSearchParams(base);
  change(query);
  return { label, query };
}

export function encodeSafely(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value.replace(/[\uD800-\uDFFF]/g, "%ED%A0%80");
  }
}

/** Content types a client may send instead of JSON (or none at all). */
export const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant<string | null>("application/json") },
  {
    weight: 2,
    arbitrary: fc.constantFrom<string | null>(
      null,
      "",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json; charset=utf-16",
      "application/json; charset=latin1",
      "application/xml",
      "application/json, text/plain",
      "*/*",
      ";;;",
    ),
  },
);

/** Printable ASCII only: anything else a client library refuses to put in a header. */
export const headerText = hostileValue.map((v) =>
  String(typeof v === "object" ? JSON.stringify(v) : v)
    .replace(/[^\x20-\x7e]/g, "?")
    .slice(0, 2_000),
);
