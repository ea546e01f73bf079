import type { FastifyBaseLogger } from 'fastify';

/**
 * A background job run at start and then every `seconds`, its failures logged (a sweep that
 * throws once must not stop the next), its timer never keeping the process alive.
 */
export function periodic(log: FastifyBaseLogger, what: string, seconds: number, run: () => void): { start(): void; stop(): void } {
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    try {
      run();
    } catch (e) {
      log.error({ err: e }, `${what} failed`);
    }
  };
  return {
    start() {
      tick();
      timer = setInterval(tick, seconds * 1000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
