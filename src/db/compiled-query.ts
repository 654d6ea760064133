/**
 * Queries built and compiled once. Kysely builds a tree for every query and compiles it to SQL on
 * every call; on the hot paths that took more CPU than the database took to run the statements.
 * A query written here is built once per engine and shape, with a placeholder in place of each
 * value, and afterwards only its parameters are filled in (Kysely's "execute compiled queries").
 *
 * The builder must use the values it is given only as values (bound as parameters): a placeholder
 * refuses to become a string or a number, so computing with one fails loudly at build time. A
 * null (or undefined) value is passed to the builder as itself, so `x === null ? is null : = x`
 * branches work; the shape (which keys, which of them are null) selects the compiled variant.
 */
import { type Compilable, CompiledQuery, type QueryResult } from "kysely";
import type { Executor } from "./schema.ts";

/** Stands for one value while the query is built. */
class Placeholder {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
    Object.freeze(this);
  }
  toString(): never {
    return this.refuse();
  }
  valueOf(): never {
    return this.refuse();
  }
  [Symbol.toPrimitive](): never {
    return this.refuse();
  }
  private refuse(): never {
    throw new TypeError(`compiled query: ${this.path} was computed with while building; pass values through`);
  }
}

type Args = Record<string, unknown>;

interface Template {
  sql: string;
  /** Per parameter: the path of the value it takes, or a constant of the query. */
  parameters: Array<{ path: string[] } | { constant: unknown }>;
}

const isPlainObject = (value: unknown): value is Args =>
  typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** The args' shape: their keys, which are null or undefined, and their nesting. */
function shapeOf(args: Args): string {
  let shape = "";
  for (const key in args) {
    const value = args[key];
    if (value === null || value === undefined) shape += `${key}:${value === null ? "n" : "u"},`;
    else if (isPlainObject(value)) shape += `${key}:{${shapeOf(value)}},`;
    else shape += `${key},`;
  }
  return shape;
}

/** The placeholders standing for the args' values (built once per shape). */
function placeholders(args: Args, prefix: string): Args {
  const stand: Args = {};
  for (const key of Object.keys(args)) {
    const value = args[key];
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (value === null || value === undefined) stand[key] = value;
    else if (isPlainObject(value)) stand[key] = placeholders(value, path);
    else stand[key] = new Placeholder(path);
  }
  return stand;
}

function valueAt(args: Args, path: string[]): unknown {
  let value: unknown = args;
  for (const key of path) value = (value as Args)[key];
  return value;
}

/**
 * `build(executor, args)` as a function run with new values: the first call for an engine and
 * shape builds and compiles it, every later one only binds the values.
 */
export function compiledQuery<A extends Args, R>(
  build: (executor: Executor, args: A) => Compilable<R>,
): (executor: Executor, args: A) => Promise<QueryResult<R>> {
  // Per dialect (the adapter is shared by a Kysely instance and its transactions), per shape.
  const templates = new WeakMap<object, Map<string, Template>>();
  return async (executor, args) => {
    const shape = shapeOf(args);
    const adapter = executor.getExecutor().adapter;
    let byShape = templates.get(adapter);
    if (!byShape) {
      byShape = new Map();
      templates.set(adapter, byShape);
    }
    let template = byShape.get(shape);
    if (!template) {
      const compiled = build(executor, placeholders(args, "") as A).compile();
      template = {
        sql: compiled.sql,
        parameters: compiled.parameters.map((p) =>
          p instanceof Placeholder ? { path: p.path.split(".") } : { constant: p },
        ),
      };
      byShape.set(shape, template);
    }
    const parameters = template.parameters.map((p) => ("path" in p ? valueAt(args, p.path) : p.constant));
    return executor.executeQuery<R>(CompiledQuery.raw(template.sql, parameters) as CompiledQuery<R>);
  };
}
