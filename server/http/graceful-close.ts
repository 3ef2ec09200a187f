import type { Server, ServerResponse } from 'node:http';

export type GracefulCloser = {
  /** Stops accepting connections and resolves once in-flight requests have finished (or timeoutMs passed). */
  close(timeoutMs: number): Promise<void>;
};

/**
 * server.close() waits for every connection to end, and a keep-alive connection whose request was
 * in flight at shutdown otherwise stays open until the client or the keep-alive timeout closes it,
 * so shutdown would wait seconds on an idle socket. While closing, responses say
 * `Connection: close` and idle connections are closed as soon as their response is sent.
 * Call before the server receives requests.
 */
export function createGracefulCloser(server: Server): GracefulCloser {
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  const closeIdleSoon = () => setImmediate(() => server.closeIdleConnections());
  const markLast = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };

  // Prepended so it runs before the app writes anything for this request.
  server.prependListener('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    if (closing) markLast(res);
    res.once('close', () => {
      inFlight.delete(res);
      if (closing) closeIdleSoon();
    });
  });

  return {
    close(timeoutMs) {
      closing = true;
      inFlight.forEach(markLast);
      const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
      force.unref();
      return new Promise<void>((resolve) => {
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
