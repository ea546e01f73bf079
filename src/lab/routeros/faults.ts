// Fault injection for the simulated router. Every field can be changed while the simulator runs;
// tests flip them to reproduce what real routers and networks do to a client.
import type { Trap } from './menus.js';

export interface Faults {
  /** Delay before each sentence is answered. */
  latencyMs?: number;
  /** Close a connection when it sends its (N+1)th sentence (the login counts). */
  dropAfterSentences?: number;
  /** Answer `/login` with `!fatal` and close, as a router whose API is restricted does. */
  refuseLogin?: boolean;
  /** Extra delay before answering `/login`. */
  loginDelayMs?: number;
  /** Answer each command with bytes that are not a RouterOS sentence. */
  garbage?: boolean;
  /** Answer each print with an extra `!re` sentence of about 10 MB first. */
  hugeReply?: boolean;
  /** Send the first half of the next reply, then nothing more on that connection. */
  stallMidReply?: boolean;
  /** Send an unsolicited reply with a tag nobody used before each answer. */
  strayTag?: boolean;
  /** Refuse chosen write commands with a trap (a router that rejects some entries). */
  reject?: (path: string, verb: string, attrs: Readonly<Record<string, string>>) => Trap | undefined;
}

export const HUGE_REPLY_BYTES = 10 * 1024 * 1024;

/** Starts with 0xF8, a reserved control byte no valid length prefix uses. */
export const GARBAGE = Buffer.from([0xf8, 0xff, 0x00, 0x13, 0x37, ...Buffer.from('not a sentence')]);
