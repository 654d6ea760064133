import { describe, expect, it } from "vitest";
import { DatabaseUrlError, parseDatabaseUrl } from "../../../src/db/database-url.ts";

describe("DATABASE_URL", () => {
  it("sends postgres:// and postgresql:// URLs to PostgreSQL unchanged", () => {
    for (const url of ["postgres://u:p@db:5432/malipo", "postgresql://db/malipo?sslmode=require"])
      expect(parseDatabaseUrl(url)).toEqual({ engine: "postgres", url });
  });

  it("takes a plain path, relative or absolute, as a SQLite file", () => {
    expect(parseDatabaseUrl("./data/malipo.sqlite")).toEqual({
      engine: "sqlite",
      file: "./data/malipo.sqlite",
    });
    expect(parseDatabaseUrl("/var/lib/malipo/db.sqlite")).toEqual({
      engine: "sqlite",
      file: "/var/lib/malipo/db.sqlite",
    });
    expect(parseDatabaseUrl(":memory:")).toEqual({ engine: "sqlite", file: ":memory:" });
  });

  it("accepts file: URLs, absolute (one or three slashes) and relative, percent-decoded", () => {
    expect(parseDatabaseUrl("file:/srv/malipo/db.sqlite")).toEqual({
      engine: "sqlite",
      file: "/srv/malipo/db.sqlite",
    });
    expect(parseDatabaseUrl("file:///srv/malipo/db.sqlite")).toEqual({
      engine: "sqlite",
      file: "/srv/malipo/db.sqlite",
    });
    expect(parseDatabaseUrl("file://localhost/srv/db.sqlite")).toEqual({
      engine: "sqlite",
      file: "/srv/db.sqlite",
    });
    expect(parseDatabaseUrl("file:data/malipo.sqlite")).toEqual({
      engine: "sqlite",
      file: "data/malipo.sqlite",
    });
    expect(parseDatabaseUrl("file:/srv/my%20data/db.sqlite")).toEqual({
      engine: "sqlite",
      file: "/srv/my data/db.sqlite",
    });
  });

  it("keeps the sqlite: prefix it always accepted", () => {
    expect(parseDatabaseUrl("sqlite:///srv/db.sqlite")).toEqual({ engine: "sqlite", file: "/srv/db.sqlite" });
    expect(parseDatabaseUrl("sqlite:./db.sqlite")).toEqual({ engine: "sqlite", file: "./db.sqlite" });
  });

  it.each([
    ["mysql://root@db/malipo", "mysql:"],
    ["https://example.com/db", "https:"],
    ["file://fileserver/share/db.sqlite", "host"],
    ["file:/srv/db.sqlite?mode=ro", "query"],
    ["file:", "path"],
    ["file:/srv/%zz.sqlite", "percent"],
  ])("refuses %s with a message naming DATABASE_URL", (url, hint) => {
    try {
      parseDatabaseUrl(url);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DatabaseUrlError);
      expect((error as Error).message).toContain("DATABASE_URL");
      expect((error as Error).message).toContain(hint);
    }
  });
});
