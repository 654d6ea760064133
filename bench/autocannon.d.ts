// Minimal types for the parts of autocannon the benchmarks use (the package ships none).
declare module "autocannon" {
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    method?: "GET" | "POST";
    headers?: Record<string, string>;
    body?: string;
    /** Per-request hooks; `setupRequest` may rewrite path and body of each request. */
    requests?: Array<{
      setupRequest?: (request: {
        path: string;
        body?: string;
        method?: string;
        headers?: Record<string, string>;
      }) => {
        path: string;
        body?: string;
        headers?: Record<string, string>;
      };
      onResponse?: (status: number, body: string) => void;
    }>;
  }
  interface Histogram {
    average: number;
    p50: number;
    p99: number;
    mean: number;
  }
  interface Result {
    requests: Histogram & { total: number };
    latency: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    "2xx": number;
    "4xx": number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
