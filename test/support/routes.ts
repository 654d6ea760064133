/**
 * The app's routes, read from the app itself, for suites that must cover every route (the fuzz and
 * the authorization matrix): Fastify's own route tree (hidden routes included: docs, metrics) and
 * the OpenAPI document the app serves (schemas and documented answers). A route added to the app
 * appears here without anyone listing it, so a table that has no entry for it fails.
 */
import type { FastifyInstance } from "fastify";

/** `GET /api/v1/bookings/:id`: the method and Fastify's path pattern. */
export type RouteKey = `${string} /${string}`;

export interface AppRoute {
  key: RouteKey;
  method: string;
  /** Fastify's pattern: `/api/v1/bookings/:id`. */
  path: string;
}

const TREE_LINE = /^((?:│ {3}| {4})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/;

/**
 * Every method and path the app answers, from `printRoutes` (a tree of path segments, each with
 * its methods). HEAD, which Fastify adds to every GET, is left out: it is the GET's.
 */
export function appRoutes(app: FastifyInstance): AppRoute[] {
  const routes: AppRoute[] = [];
  const prefixes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    const match = TREE_LINE.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? "").length / 4;
    const path = `${depth === 0 ? "" : prefixes[depth - 1]}${match[2]}`;
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    for (const method of (match[3] ?? "").split(", ").filter((m) => m !== "" && m !== "HEAD"))
      routes.push({ key: `${method} ${path}` as RouteKey, method, path });
  }
  return routes.sort((a, b) => a.key.localeCompare(b.key));
}

/** A JSON Schema as the OpenAPI document prints it (only what the suites read). */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
  additionalProperties?: boolean;
  minProperties?: number;
}

export interface Operation {
  key: RouteKey;
  parameters: Array<{
    in: "path" | "query" | "header";
    name: string;
    required?: boolean;
    schema: JsonSchema;
  }>;
  body: JsonSchema | null;
  /** Documented answers: status → whether it is the error envelope. */
  responses: Map<number, { isError: boolean }>;
  /** Signed in with a Bearer token. */
  bearer: boolean;
}

interface OpenApiOperation {
  parameters?: Operation["parameters"];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { description?: string }>;
  security?: unknown[];
}

/** Every operation of the OpenAPI document the app serves, by route key. */
export async function documentedOperations(app: FastifyInstance): Promise<Map<RouteKey, Operation>> {
  const res = await app.inject({ method: "GET", url: "/openapi.json" });
  if (res.statusCode !== 200) throw new Error(`/openapi.json answered ${res.statusCode}`);
  const doc = res.json() as { paths: Record<string, Record<string, OpenApiOperation>> };
  const operations = new Map<RouteKey, Operation>();
  for (const [openApiPath, methods] of Object.entries(doc.paths)) {
    const path = openApiPath.replace(/\{([^}]+)\}/g, ":$1");
    for (const [method, op] of Object.entries(methods)) {
      const key = `${method.toUpperCase()} ${path}` as RouteKey;
      const responses = new Map(
        Object.entries(op.responses ?? {}).map(([status, answer]) => [
          Number(status),
          { isError: answer.description === "Every error answers with this envelope" },
        ]),
      );
      operations.set(key, {
        key,
        parameters: op.parameters ?? [],
        body: op.requestBody?.content?.["application/json"]?.schema ?? null,
        responses,
        bearer: (op.security ?? []).length > 0,
      });
    }
  }
  return operations;
}

/** What a table keyed by route is missing, and what it lists that the app no longer has. */
export function tableProblems(routes: readonly AppRoute[], table: Iterable<string>): string[] {
  const keys = new Set(table);
  const known = new Set(routes.map((r) => r.key as string));
  return [
    ...routes.filter((r) => !keys.has(r.key)).map((r) => `no entry for ${r.key}`),
    ...[...keys].filter((k) => !known.has(k)).map((k) => `entry for ${k}, which the app does not have`),
  ];
}
