import autocannon from 'autocannon';
import { cpuMs } from './measure';

/** Connections autocannon keeps open, as the DESIGN.md figures were taken. */
export const CONNECTIONS = 64;
/** Seconds of load per round (BENCH_HTTP_SECONDS). */
export const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);

/** One request of a load and the body it must answer (after `normalize`), with a 2xx status. */
export interface ExpectedRequest {
  path: string;
  headers?: Record<string, string>;
  body: string;
}

export interface HttpLoad {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time the serving processes spent per answer, in µs. */
  cpuUsPerRequest: number;
}

/**
 * `CONNECTIONS` connections for `SECONDS`, each cycling through `requests`. Every answer is
 * judged: a non-2xx status, an error, a timeout or a body other than the one expected fails the
 * load instead of being counted. The check is one string comparison, as cheap for the floor.
 * `servers`: the processes that serve the load, whose CPU time is counted.
 */
export async function loadHttp(
  origin: string,
  requests: ExpectedRequest[],
  servers: number[],
  normalize?: (body: string) => string,
  connections = CONNECTIONS,
): Promise<HttpLoad> {
  const cpuBefore = cpuMs(servers);
  let wrong: string | undefined;
  let wrongCount = 0;
  const outcome = await autocannon({
    url: origin,
    connections,
    duration: SECONDS,
    requests: requests.map((request) => ({
      method: 'GET' as const,
      path: request.path,
      headers: request.headers,
      onResponse: (status: number, body: string) => {
        const seen = normalize ? normalize(body) : body;
        if (status >= 200 && status < 300 && seen === request.body) return;
        wrongCount += 1;
        wrong ??= `GET ${request.path} answered ${status} ${body.slice(0, 300)}; expected ${request.body.slice(0, 300)}`;
      },
    })),
  });
  if (wrong !== undefined) throw new Error(`${wrongCount} wrong answers, the first: ${wrong}`);
  if (outcome.non2xx > 0 || outcome.errors > 0 || outcome.timeouts > 0) {
    throw new Error(`${origin}: ${outcome.non2xx} non-2xx answers, ${outcome.errors} errors, ${outcome.timeouts} timeouts`);
  }
  const cpuUsPerRequest = ((cpuMs(servers) - cpuBefore) * 1000) / outcome.requests.total;
  return { perSecond: outcome.requests.average, p50Ms: outcome.latency.p50, p99Ms: outcome.latency.p99, cpuUsPerRequest };
}
