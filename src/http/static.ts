/**
 * Serves the built web app (web/dist) at `/`, with the single-page-app fallback: a browser asking for
 * a page that is not a file (GET, accepts text/html, not under /api/) gets index.html so client-side
 * routes survive a reload. Anything else unknown stays a JSON 404.
 */
import { existsSync } from "node:fs";
import { join, sep } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** True when `webRoot` holds a built app. */
export function hasWebApp(webRoot: string | undefined): webRoot is string {
  return webRoot !== undefined && existsSync(join(webRoot, "index.html"));
}

export async function registerWebApp(app: FastifyInstance, webRoot: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: webRoot,
    prefix: "/",
    wildcard: false,
    index: ["index.html"],
    // The web build writes .br and .gz copies: phones on slow connections get a third of the bytes.
    preCompressed: true,
    setHeaders(reply, path) {
      // Vite puts content-hashed files under assets/: cache them forever, revalidate everything else.
      reply.header(
        "cache-control",
        path.includes(`${sep}assets${sep}`) ? "public, max-age=31536000, immutable" : "no-cache",
      );
    },
  });
}

const NOT_PAGES = /^\/(?:api|docs|openapi\.json|metrics|health|ready)(?:\/|$|\?)/;

/** Answers with index.html when the request is a browser navigation to a client-side route. */
export function trySpaFallback(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  if (NOT_PAGES.test(request.url)) return false;
  if (!(request.headers.accept ?? "").includes("text/html")) return false;
  void reply.header("cache-control", "no-cache").sendFile("index.html");
  return true;
}
