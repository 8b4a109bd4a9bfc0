import { createServer, Socket } from 'node:net';
import { readFileSync } from 'node:fs';

/**
 * A port nothing listens on, for a server a test starts later (often more than once, as apps are
 * stopped and started again). Taken below the kernel's ephemeral range, never from it: a port the
 * kernel handed out once is soon the local end of some outgoing connection (a pool, a NATS
 * client), and a server started there later fails with EADDRINUSE. Free on every address, as the
 * gateway listens on 0.0.0.0.
 */
export async function freePort(): Promise<number> {
  const [lowest] = ephemeralRange();
  const from = Math.max(1024, lowest - 12_000);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = from + Math.floor(Math.random() * (lowest - from));
    if ((await bindable(port, '0.0.0.0')) && (await bindable(port, '127.0.0.1'))) return port;
  }
  throw new Error(`no free port between ${from} and ${lowest}`);
}

/** The kernel's ephemeral port range (Linux), or IANA's where it cannot be read. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low, high];
  } catch {
    // Not Linux: IANA's dynamic range.
  }
  return [49152, 65535];
}

function bindable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Resolves once something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    }).finally(() => undefined);
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
}
