// The subset of autocannon 9's API (CommonJS, no bundled types) that src/bench uses.
declare module 'autocannon' {
  interface AutocannonRequest {
    method?: string;
    path?: string;
    body?: string;
    headers?: Record<string, string>;
  }
  interface AutocannonOptions {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: AutocannonRequest[];
    connections?: number;
    duration?: number;
    amount?: number;
    workers?: number;
    pipelining?: number;
    timeout?: number;
    overallRate?: number;
    /** Called with each client; its `response` event gives the status, the body bytes and the latency in ms. */
    setupClient?: (client: {
      on(
        event: 'response',
        listener: (statusCode: number, resBytes: number, responseTime: number) => void,
      ): void;
    }) => void;
  }
  interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p99: number;
    [percentile: string]: number;
  }
  interface AutocannonResult {
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
    start: Date;
    finish: Date;
    '2xx': number;
  }
  function autocannon(options: AutocannonOptions): Promise<AutocannonResult>;
  export default autocannon;
}
