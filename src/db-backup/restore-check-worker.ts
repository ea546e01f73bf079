/**
 * Runs the restore checks on a worker thread: integrity_check, the audit chain walk and the
 * invariants read the whole copy (seconds on a 1 GiB database) and would stall every request
 * on the daemon's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkRestoredCopy } from './restore-check.js';
import type { CheckArgs } from './restore-check-thread.js';

const a = workerData as CheckArgs;
parentPort!.postMessage(checkRestoredCopy(a.file, a.manifest, a.parts, Buffer.from(a.auditKey)));
