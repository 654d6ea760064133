/**
 * A port nobody listens on right now, on 127.0.0.1, for servers that must know their port before
 * they listen (a child process told its PORT, a callback URL written first). Shared by the tests,
 * the benchmarks and the chaos run.
 */
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
