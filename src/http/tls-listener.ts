import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** Where devices and agents reach Simpul over HTTPS, and the certificate they verify it with. */
export interface TlsEndpoint {
  /** https://host:port, without a trailing slash. */
  url: string;
  /** The served certificate chain (PEM): routers import it to verify their adlist downloads. */
  certPem: string;
}

export interface TlsListener extends TlsEndpoint {
  close(): Promise<void>;
}

/**
 * A second listener for the same Fastify app over HTTPS (app.routing serves it), so the API on
 * plain HTTP behind the reverse proxy and the device-facing HTTPS share routes, hooks and auth.
 */
export async function listenTls(app: FastifyInstance, opts: { host: string; port: number; cert: string; key: string; url?: string }): Promise<TlsListener> {
  const server: Server = createServer({ cert: opts.cert, key: opts.key }, (req, res) => app.routing(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: opts.url ?? `https://${host}:${port}`,
    certPem: opts.cert,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
