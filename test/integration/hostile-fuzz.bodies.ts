/**
 * Bodies for the fuzz (hostile-fuzz.test.ts), built around one valid body of a route: a hostile
 * value put anywhere in it (any depth), a field removed, written twice, carrying invalid UTF-8,
 * privileged fields added, prototype pollution; raw bodies that are not JSON, too deep or too large.
 */
import fc from "fast-check";
import { hostileValue, POLLUTERS } from "./hostile-fuzz.values.ts";

/** Fields a client might add to claim what is not theirs to say. */
const MASS_ASSIGNMENT: Array<[string, unknown]> = [
  ["role", "admin"],
  ["status", "completed"],
  ["amount", 1],
  ["amount", -500],
  ["amount", 0.5],
  ["userId", "usr_someone_else"],
  ["customerId", "usr_someone_else"],
  ["technicianId", "usr_someone_else"],
  ["isAdmin", true],
  ["approved", true],
];

type Json = Record<string, unknown> | unknown[];
type Path = Array<string | number>;

/** Every path into a JSON value (objects and arrays), up to a depth. */
function pathsOf(value: unknown, depth = 6, at: Path = []): Path[] {
  if (depth === 0 || typeof value !== "object" || value === null) return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...at, key], ...pathsOf(child, depth - 1, [...at, key])]);
}

function setAt(root: Json, path: Path, value: unknown, remove = false): Json {
  const copy = structuredClone(root);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (remove && Array.isArray(node)) node.splice(Number(last), 1);
  else if (remove) delete node[last];
  else node[last] = value;
  return copy;
}

export interface FuzzBody {
  label: string;
  payload: string | Buffer | undefined;
  /** Not JSON at all: a route that reads JSON must refuse it. */
  notJson: boolean;
}

const text = (label: string, payload: string, notJson = true): FuzzBody => ({ label, payload, notJson });

/** Raw bodies no JSON parser should accept, and JSON a careless one might. */
const RAW_BODIES: FuzzBody[] = [
  text("truncated", "{"),
  text("not JSON", "{not json"),
  text("single quotes", "{'a':1}"),
  text("comment", '{/*x*/"a":1}'),
  text("NaN literal", '{"a":NaN}'),
  text("trailing garbage", "{}x"),
  // JSON parsers may skip a byte order mark (RFC 8259), and ours does.
  text("byte order mark", "\uFEFF{}", false),
  text("deep arrays", `${"[".repeat(20_000)}${"]".repeat(20_000)}`, false),
  text("deep objects", `${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`, false),
  text("giant number", "123456789012345678901234567890123456789", false),
  text("infinite number", "1e999", false),
  text("over the size limit", JSON.stringify({ filler: "x".repeat(70_000) }), false),
  text("empty", "", false),
  text("null", "null", false),
  text("array", "[]", false),
  text("string", '"x"', false),
];

/** Invalid UTF-8 sequences: a lone continuation byte, an overlong slash, a truncated sequence, 0xFF. */
const BAD_UTF8 = [[0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xff, 0xfe], [0xed, 0xa0, 0x80]];

/** Bodies built around `base` (a JSON object or the raw JSON text of one). */
export function fuzzBody(base: unknown): fc.Arbitrary<FuzzBody> {
  const object: Json | null =
    typeof base === "string"
      ? safeParse(base)
      : typeof base === "object" && base !== null
        ? (base as Json)
        : null;
  const json = (label: string, value: unknown): FuzzBody => ({
    label,
    payload: JSON.stringify(value),
    notJson: false,
  });
  const options: Array<{ weight: number; arbitrary: fc.Arbitrary<FuzzBody> }> = [
    { weight: 2, arbitrary: fc.constantFrom(...RAW_BODIES) },
    { weight: 1, arbitrary: hostileValue.map((v) => json("hostile value as the body", v)) },
    { weight: 1, arbitrary: fc.constant({ label: "no body", payload: undefined, notJson: false }) },
  ];
  if (object !== null) {
    const paths = pathsOf(object);
    options.push({ weight: 1, arbitrary: fc.constant(json("as sent", object)) });
    if (paths.length > 0) {
      const path = fc.constantFrom(...paths);
      const named = (p: Path) => p.join(".");
      options.push(
        {
          weight: 5,
          arbitrary: fc
            .tuple(path, hostileValue)
            .map(([p, v]) => json(`${named(p)} = hostile`, setAt(object, p, v))),
        },
        {
          weight: 1,
          arbitrary: path.map((p) => json(`${named(p)} removed`, setAt(object, p, undefined, true))),
        },
        {
          weight: 2,
          arbitrary: fc.tuple(path, hostileValue, fc.boolean()).map(([p, v, first]) => ({
            label: `${named(p)} twice (hostile ${first ? "first" : "last"})`,
            payload: withDuplicate(object, p, v, first),
            notJson: false,
          })),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(path, fc.constantFrom(...BAD_UTF8))
            .map(([p, bytes]) => invalidUtf8(setAt(object, p, "\u0001"), bytes, named(p))),
        },
      );
    }
    if (!Array.isArray(object))
      options.push(
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(...MASS_ASSIGNMENT)
            .map(([key, v]) => json(`extra ${key}`, { ...object, [key]: v })),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(...POLLUTERS).map((p) => ({
            label: "prototype pollution",
            payload: JSON.stringify(object).replace(/^\{/, `{${JSON.stringify(p).slice(1, -1)},`),
            notJson: false,
          })),
        },
      );
  }
  return fc.oneof(...options);
}

function safeParse(raw: string): Json | null {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === "object" && value !== null ? (value as Json) : null;
  } catch {
    return null;
  }
}

/**
 * The object's JSON with the key at `path` written twice, the hostile value first or last: which
 * one a parser keeps is its own choice, and a check must not read the other.
 */
function withDuplicate(value: unknown, path: Path, hostile: unknown, first: boolean): string {
  const write = (node: unknown, at: number): string => {
    if (typeof node !== "object" || node === null) return JSON.stringify(node) ?? "null";
    const key = path[at];
    if (Array.isArray(node))
      return `[${node.map((v, i) => (i === key && at < path.length - 1 ? write(v, at + 1) : (JSON.stringify(v) ?? "null"))).join(",")}]`;
    const pairs = Object.entries(node).map(([k, v]) => {
      const inner = k === key && at < path.length - 1 ? write(v, at + 1) : (JSON.stringify(v) ?? "null");
      const pair = `${JSON.stringify(k)}:${inner}`;
      if (k !== key || at < path.length - 1) return pair;
      const twin = `${JSON.stringify(k)}:${JSON.stringify(hostile) ?? "null"}`;
      return first ? `${twin},${pair}` : `${pair},${twin}`;
    });
    return `{${pairs.join(",")}}`;
  };
  return write(value, 0);
}

/** The object's JSON with the \u0001 placed at `where` replaced by raw invalid UTF-8 bytes. */
function invalidUtf8(object: Json, bytes: number[], where: string): FuzzBody {
  const [before = "", after = ""] = JSON.stringify(object).split("\\u0001");
  return {
    label: `invalid UTF-8 in ${where}`,
    payload: Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]),
    notJson: false,
  };
}
