/**
 * A loopback port nobody listens on right now, for a process this test starts and configures by port
 * (a gateway whose config must name its ports before it runs). In-process servers listen on port 0.
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
