import { Worker } from 'node:worker_threads';
import type { Manifest } from './manifest.js';
import type { CheckResult } from './restore-check.js';

export interface CheckArgs {
  file: string;
  manifest: Manifest;
  parts: Record<string, { size: number; sha256: string }>;
  auditKey: Uint8Array;
}

// From source (tsx, vitest) the worker is a .ts file that needs tsx's loader; from dist/ it is .js.
const fromSource = import.meta.url.endsWith('.ts');
const WORKER = new URL(`./restore-check-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);

/** checkRestoredCopy on a worker thread, so the daemon keeps serving while a copy is checked. */
export function checkOffThread(args: CheckArgs): Promise<CheckResult> {
  return new Promise((resolve, reject) => {
    // Worker threads do not inherit tsx's loader: from source the thread registers it, then loads the .ts file.
    const w = fromSource
      ? new Worker(`import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(WORKER.href)}); })`, { eval: true, workerData: args })
      : new Worker(WORKER, { workerData: args });
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
