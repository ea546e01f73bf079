import { startWorker } from '../common/worker-thread.js';
import type { Manifest } from './manifest.js';
import type { CheckResult } from './restore-check.js';

export interface CheckArgs {
  file: string;
  manifest: Manifest;
  parts: Record<string, { size: number; sha256: string }>;
  auditKey: Uint8Array;
}

/** checkRestoredCopy on a worker thread, so the daemon keeps serving while a copy is checked. */
export function checkOffThread(args: CheckArgs): Promise<CheckResult> {
  return new Promise((resolve, reject) => {
    const w = startWorker(import.meta.url, 'restore-check-worker', { workerData: args });
    let answered = false;
    w.once('message', (r: CheckResult) => {
      answered = true;
      resolve(r);
    });
    w.once('error', reject);
    w.once('exit', (code) => {
      if (!answered) reject(new Error(`the restore check thread ended (exit ${code}) without an answer`));
    });
  });
}
