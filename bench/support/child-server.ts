/**
 * Runs a server under benchmark in a process of its own, so its resident memory is its own (not
 * the load generator's or the seeder's) and the load generator does not share its event loop.
 * The parent forks an entry that calls `serveInChild`; the entry answers `stats` and `close`.
 */
import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ChildStats {
  /** Peak resident set size of the child since it started (VmHWM), MB. */
  peakRssMb: number;
  rssMb: number;
  [extra: string]: unknown;
}

type ToChild = { type: "stats" } | { type: "reset" } | { type: "close" };
type FromChild =
  | { type: "ready"; url: string }
  | { type: "stats"; stats: ChildStats }
  | { type: "reset" }
  | { type: "closed" };

/** Peak RSS of this process (Linux /proc; elsewhere the current RSS). */
export function peakRssMb(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) / 1024;
  } catch {}
  return process.memoryUsage().rss / 2 ** 20;
}

/**
 * The V8 flags production starts Malipo with (`npm run start:dist` in package.json), so a server
 * under benchmark runs with the same memory settings.
 */
export function productionNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    scripts: Record<string, string>;
  };
  return (pkg.scripts["start:dist"] ?? "").match(/--[a-z-]+=\d+/g) ?? [];
}

/** The servers' V8 flags: production's, or BENCH_NODE_FLAGS (space-separated) to try others. */
function nodeFlags(): string[] {
  const flags = process.env.BENCH_NODE_FLAGS?.trim();
  return flags ? flags.split(/\s+/) : productionNodeFlags();
}

export interface ChildServer {
  url: string;
  stats(): Promise<ChildStats>;
  /** Zeroes the entry's own counts (after a warm-up). */
  resetCounts(): Promise<void>;
  close(): Promise<void>;
}

function next(child: ChildProcess, type: FromChild["type"]): Promise<FromChild> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromChild) => {
      if (message.type !== type) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(message);
    };
    const onExit = (code: number | null) =>
      reject(new Error(`benchmark server exited (${code}) before "${type}"`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** Forks `entry` with `env` added and waits for it to listen. */
export async function startChildServer(entry: URL, env: Record<string, string>): Promise<ChildServer> {
  const child = fork(entry, [], {
    env: { ...process.env, ...env },
    execArgv: nodeFlags(),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = (await next(child, "ready")) as { url: string };
  const send = (message: ToChild) => child.send(message);
  return {
    url: ready.url,
    async stats() {
      const reply = next(child, "stats");
      send({ type: "stats" });
      return ((await reply) as { stats: ChildStats }).stats;
    },
    async resetCounts() {
      const reply = next(child, "reset");
      send({ type: "reset" });
      await reply;
    },
    async close() {
      const closed = next(child, "closed");
      send({ type: "close" });
      await closed;
      await new Promise<void>((resolve) =>
        child.exitCode === null ? child.once("exit", () => resolve()) : resolve(),
      );
    },
  };
}

/** In the child: report `url`, answer stats with `extra()`, zero counts with `reset()`, run `close` then exit on request. */
export function serveInChild(
  url: string,
  close: () => Promise<void>,
  extra: () => Record<string, unknown> = () => ({}),
  reset: () => void = () => {},
) {
  process.on("message", (message: ToChild) => {
    if (message.type === "stats") {
      const stats: ChildStats = {
        peakRssMb: peakRssMb(),
        rssMb: process.memoryUsage().rss / 2 ** 20,
        heapTotalMb: process.memoryUsage().heapTotal / 2 ** 20,
        ...extra(),
      };
      process.send?.({ type: "stats", stats } satisfies FromChild);
    } else if (message.type === "reset") {
      reset();
      process.send?.({ type: "reset" } satisfies FromChild);
    } else if (message.type === "close") {
      close().then(
        () => {
          process.send?.({ type: "closed" } satisfies FromChild, () => process.exit(0));
        },
        (error: Error) => {
          console.error(error);
          process.exit(1);
        },
      );
    }
  });
  process.send?.({ type: "ready", url } satisfies FromChild);
}
