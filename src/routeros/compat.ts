// Compatibility layer for node-routeros 1.6.9 (the design card's client; unmaintained). Importing
// this module patches the library's classes once, in place. Each patch names the defect it fixes;
// test/integration/routeros/defects.test.ts reproduces every one against the simulator, both with
// the pristine library (in a child process) and with this layer.
import { Channel, Connector, Receiver, RosException, RouterOSAPI } from 'node-routeros';
import { SentenceDecoder } from './wire.js';

/** A `!trap` reply, with the `=category=` the library drops. */
export class RosTrapError extends Error {
  override readonly name = 'RosTrapError';
  constructor(
    message: string,
    readonly category: number | undefined,
  ) {
    super(message);
  }
}

/** The peer sent something that is not a RouterOS API reply. */
export class RosProtocolError extends Error {
  override readonly name = 'RosProtocolError';
}

/** The router ended the session with `!fatal`. */
export class RosFatalError extends Error {
  override readonly name = 'RosFatalError';
}

/** A reply word larger than this is treated as a protocol error, bounding memory use. */
export const MAX_REPLY_WORD_BYTES = 4 * 1024 * 1024;

// Internals of the library's classes that the patches touch (they are `private` in its typings).
type Listener = (...args: unknown[]) => void;
interface ReceiverInternals {
  tags: Map<string, { callback: (packet: string[]) => void }>;
  socket: { destroyed?: boolean; emit(event: string, ...args: unknown[]): boolean };
  [decoderKey]?: SentenceDecoder;
  droppedReplies?: number;
}
interface ChannelInternals {
  id: string;
  streaming: boolean;
  data: unknown[];
  emit(event: string, ...args: unknown[]): boolean;
  on(event: string, l: Listener): void;
  once(event: string, l: Listener): void;
  close(force?: boolean): void;
  readAndWrite(params: string[]): void;
}
interface ConnectorInternals {
  listenerCount(event: string): number;
  emit(event: string, ...args: unknown[]): boolean;
  destroy(): void;
}
interface ApiInternals {
  connecting: boolean;
  lastError?: unknown;
  listenerCount(event: string): number;
  once(event: string, l: Listener): void;
  off(event: string, l: Listener): void;
}

const decoderKey = Symbol('simpul.decoder');

// The library encodes words as Windows-1252; latin1 decoding differs only in 0x80..0x9F.
const CP1252 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
function cp1252(word: string): string {
  return /[\x80-\x9f]/.test(word) ? word.replace(/[\x80-\x9f]/g, (c) => CP1252[c.charCodeAt(0) - 0x80] ?? c) : word;
}

/**
 * Receiver.processRawData is replaced wholesale. The original frames sentences by guessing from
 * `!` words and chunk boundaries, so it (d) throws UNREGISTEREDTAG from inside the socket 'data'
 * handler when a reply carries a tag nobody waits for (a late answer to a cancelled or timed-out
 * command, or a misbehaving router) and the process dies; it also reads a length prefix split
 * across two TCP chunks as NaN, never delivers a final sentence whose terminating zero byte
 * arrives in a separate chunk, and buffers any declared word length (a 10 MB sentence, garbage).
 * The replacement decodes real zero-terminated sentences, drops replies for unknown tags, bounds
 * word size, and turns anything malformed into a connection error instead of an exception.
 */
function processRawData(this: ReceiverInternals, data: Buffer): void {
  const decoder = (this[decoderKey] ??= new SentenceDecoder(MAX_REPLY_WORD_BYTES));
  try {
    for (const words of decoder.push(data)) {
      if (this.socket.destroyed) return;
      dispatch(this, words.map(cp1252));
    }
  } catch (e) {
    const err = e instanceof RosFatalError || e instanceof RosProtocolError ? e : new RosProtocolError(`malformed reply: ${(e as Error).message}`);
    if (!this.socket.destroyed) this.socket.emit('error', err);
  }
}

function dispatch(receiver: ReceiverInternals, words: string[]): void {
  const [reply, ...rest] = words;
  if (reply === '!fatal') {
    // The original only emitted a bare 'fatal'; an error keeps the router's reason.
    throw new RosFatalError(rest.join(' ') || 'session terminated by the router');
  }
  if (reply === undefined || !reply.startsWith('!')) throw new RosProtocolError(`unexpected reply word ${JSON.stringify(reply?.slice(0, 40))}`);
  const tagWord = rest.find((w) => w.startsWith('.tag='));
  const tag = tagWord?.slice(5);
  const reader = tag === undefined ? undefined : receiver.tags.get(tag);
  if (!reader) {
    receiver.droppedReplies = (receiver.droppedReplies ?? 0) + 1;
    return;
  }
  reader.callback([reply, ...rest.filter((w) => w !== tagWord)]);
}

/**
 * Channel.processPacket: (a) RouterOS 7.18+ answers an empty result with `!empty` before `!done`;
 * the original treats it as unknown and throws UNKNOWNREPLY from the socket handler. `!empty` is
 * skipped (the `!done` that follows resolves the command with no rows), and any other unknown
 * reply word fails just that command.
 */
function patchProcessPacket(original: (this: ChannelInternals, packet: string[]) => void) {
  return function processPacket(this: ChannelInternals, packet: string[]): void {
    const reply = packet[0];
    if (reply === '!empty') return;
    if (reply === '!re' || reply === '!done' || reply === '!trap') return original.call(this, packet);
    this.emit('trap', { message: `unknown reply ${reply}`, protocol: true });
    this.close();
  };
}

/**
 * Channel.write: (b) the original rejects a `!trap` with `new Error(message)`, losing
 * `=category=`. Same logic, rejecting with RosTrapError (same message, so the library's own
 * login checks still match).
 */
function write(this: ChannelInternals, params: string[], isStream = false, returnPromise = true): Promise<unknown> | undefined {
  this.streaming = isStream;
  params.push(`.tag=${this.id}`);
  if (!returnPromise) {
    this.readAndWrite(params);
    return undefined;
  }
  this.on('data', (packet) => this.data.push(packet));
  return new Promise((resolve, reject) => {
    this.once('done', (data) => resolve(data));
    this.once('trap', (raw) => {
      const t = raw as { message?: string; category?: string; protocol?: boolean };
      const message = t.message ?? 'trap without message';
      if (t.protocol) return reject(new RosProtocolError(message));
      const category = t.category === undefined || t.category === '' ? undefined : Number(t.category);
      reject(new RosTrapError(message, Number.isInteger(category) ? category : undefined));
    });
    this.readAndWrite(params);
  });
}

/**
 * RouterOSAPI.emit: (c) after login the library re-emits socket errors and idle timeouts as
 * 'error' on the API object; with no listener, EventEmitter throws and Node exits. Unheard errors
 * are kept on `lastError` instead (`connected` is already false by then).
 */
function patchEmit(original: (this: ApiInternals, event: string | symbol, ...args: unknown[]) => boolean) {
  return function emit(this: ApiInternals, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'error' && this.listenerCount('error') === 0) {
      this.lastError = args[0];
      return false;
    }
    return original.call(this, event, ...args);
  };
}

/**
 * RouterOSAPI.connect: (e) when the router closes the connection cleanly during login, connect()
 * never settles. It now rejects.
 */
function patchConnect(original: (this: ApiInternals) => Promise<unknown>) {
  return function connect(this: ApiInternals): Promise<unknown> {
    const pending = original.call(this);
    if (!this.connecting) return pending;
    return new Promise((resolve, reject) => {
      const onClose = () => reject(new RosProtocolError('connection closed during login'));
      this.once('close', onClose);
      pending.then(
        (v) => {
          this.off('close', onClose);
          resolve(v);
        },
        (e: unknown) => {
          this.off('close', onClose);
          reject(e);
        },
      );
    });
  };
}

/**
 * Connector.onError: (f) the original wraps socket errors in a RosException built from the
 * numeric errno, which has no message, so ECONNREFUSED and a TLS handshake failure look alike;
 * and (g) it emits 'error' even after destroy() removed every listener, which throws. The code
 * and message are kept, our own errors pass through, and nothing is emitted into the void.
 */
function onError(this: ConnectorInternals, err: Error & { errno?: unknown; code?: string }): void {
  let out: Error = err;
  if (!(err instanceof RosFatalError || err instanceof RosProtocolError)) {
    const ex = new RosException(err.errno as string, err) as RosException & { code?: string; cause?: unknown };
    if (!ex.message) ex.message = err.message;
    ex.code = err.code;
    ex.cause = err;
    out = ex;
  }
  if (this.listenerCount('error') > 0) this.emit('error', out, this);
  this.destroy();
}

let installed = false;

/** Applies the patches once; runs at import time. */
export function installCompat(): void {
  if (installed) return;
  installed = true;
  const receiver = Receiver.prototype as unknown as Record<string, unknown>;
  receiver.processRawData = processRawData;
  const channel = Channel.prototype as unknown as Record<string, unknown>;
  channel.processPacket = patchProcessPacket(channel.processPacket as (this: ChannelInternals, packet: string[]) => void);
  channel.write = write;
  const api = RouterOSAPI.prototype as unknown as Record<string, unknown>;
  api.emit = patchEmit(api.emit as (this: ApiInternals, event: string | symbol, ...args: unknown[]) => boolean);
  api.connect = patchConnect(api.connect as (this: ApiInternals) => Promise<unknown>);
  (Connector.prototype as unknown as Record<string, unknown>).onError = onError;
}

installCompat();
