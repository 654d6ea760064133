/**
 * What DATABASE_URL names: `postgres://…` / `postgresql://…` for PostgreSQL; for SQLite a file path
 * (relative or absolute), a `file:` URL (`file:/abs/path`, `file:///abs/path`, `file:relative/path`),
 * the older `sqlite:` prefix, or `:memory:`. Anything else with a scheme is refused rather than taken
 * for a relative path (which made folders named `file:` or `mysql:` next to the process).
 */
import { fileURLToPath } from "node:url";

export type DatabaseTarget = { engine: "postgres"; url: string } | { engine: "sqlite"; file: string };

export class DatabaseUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatabaseUrlError";
  }
}

const SUPPORTED = "use a SQLite file path, a file: URL, or postgres://…";

function fromFileUrl(url: string): string {
  if (/[?#]/.test(url))
    throw new DatabaseUrlError(`DATABASE_URL: a file: URL takes no query or fragment (got "${url}")`);
  if (url.startsWith("file://")) {
    try {
      return fileURLToPath(url);
    } catch {
      throw new DatabaseUrlError(
        `DATABASE_URL: a file: URL must name a local file (empty host or localhost), got "${url}"`,
      );
    }
  }
  // `file:/abs/path` or `file:relative/path`: the rest is the path (a WHATWG parse would turn the
  // relative form into an absolute one).
  const rest = url.slice("file:".length);
  if (rest === "") throw new DatabaseUrlError("DATABASE_URL: a file: URL needs a path after file:");
  try {
    return decodeURIComponent(rest);
  } catch {
    throw new DatabaseUrlError(`DATABASE_URL: bad percent-encoding in "${url}"`);
  }
}

export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return { engine: "postgres", url };
  if (url === ":memory:") return { engine: "sqlite", file: url };
  if (/^file:/i.test(url)) return { engine: "sqlite", file: fromFileUrl(`file:${url.slice(5)}`) };
  if (/^sqlite:/i.test(url)) {
    const file = url.replace(/^sqlite:(\/\/)?/i, "");
    if (file === "") throw new DatabaseUrlError("DATABASE_URL: sqlite: needs a path after it");
    return { engine: "sqlite", file };
  }
  // Two or more letters before a colon is a scheme; a single letter is a Windows drive (C:\…).
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(url)?.[1];
  if (scheme)
    throw new DatabaseUrlError(`DATABASE_URL: "${scheme.toLowerCase()}:" is not supported; ${SUPPORTED}`);
  if (url.trim() === "") throw new DatabaseUrlError(`DATABASE_URL is empty; ${SUPPORTED}`);
  return { engine: "sqlite", file: url };
}
