/**
 * A child process the chaos run owns: started with only the environment it is given, its output
 * appended to one log file across restarts, killed with SIGKILL and started again on the same port,
 * or stopped with SIGTERM at the end.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

export interface ManagedOptions {
  name: string;
  /** Node arguments: the entry file and its flags. */
  args: string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  /** Answers once the process serves (the URL answers 200). */
  readyUrl: string;
}

export class ManagedProcess {
  readonly options: ManagedOptions;
  readonly #log: WriteStream;
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  /** Set before the run itself kills or stops the process, so that exit is not taken for a crash. */
  #expectExit = false;
  starts = 0;
  kills = 0;
  /** Exits the run did not ask for (a crash): each is a violation. */
  readonly unexpectedExits: string[] = [];

  constructor(options: ManagedOptions) {
    this.options = options;
    this.#log = createWriteStream(options.logFile, { flags: "a" });
  }

  get running(): boolean {
    return this.#child !== null;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    if (this.#child) throw new Error(`${this.options.name} is already running`);
    this.starts += 1;
    const child = spawn(process.execPath, this.options.args, {
      cwd: this.options.cwd,
      env: this.options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child = child;
    this.#expectExit = false;
    child.stdout?.pipe(this.#log, { end: false });
    child.stderr?.pipe(this.#log, { end: false });
    this.#exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        if (!this.#expectExit)
          this.unexpectedExits.push(`${this.options.name} exited by itself (${code ?? signal})`);
        if (this.#child === child) this.#child = null;
        resolve();
      });
    });
    await this.#waitReady(child, timeoutMs);
  }

  /** SIGKILL: no shutdown hook runs, whatever was in flight is cut off. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.kills += 1;
    this.#expectExit = true;
    child.kill("SIGKILL");
    await this.#exited;
  }

  /** SIGTERM and wait: the graceful stop at the end of the run. */
  async stop(timeoutMs = 30_000): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#expectExit = true;
    child.kill("SIGTERM");
    const stopped = await Promise.race([this.#exited.then(() => true), sleep(timeoutMs, false)]);
    if (!stopped) {
      this.unexpectedExits.push(`${this.options.name} did not stop within ${timeoutMs} ms of SIGTERM`);
      child.kill("SIGKILL");
      await this.#exited;
    }
  }

  async closeLog(): Promise<void> {
    await new Promise<void>((resolve) => this.#log.end(resolve));
  }

  async #waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${this.options.name} exited while starting (see ${this.options.logFile})`);
      try {
        const answer = await fetch(this.options.readyUrl, { signal: AbortSignal.timeout(1_000) });
        await answer.body?.cancel();
        if (answer.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${this.options.name} did not answer ${this.options.readyUrl} within ${timeoutMs} ms`);
  }
}
