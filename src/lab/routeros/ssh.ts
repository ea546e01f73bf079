// The SSH side of a simulated MikroTik router: answers `/export` from the router's live state, as
// config backups read it. Lab only: listens on loopback, accepts exactly the lab credentials.
import net from 'node:net';
import ssh2 from 'ssh2';
import type { Connection, ParsedKey, ServerChannel } from 'ssh2';
import { sshFingerprint } from '../../backup/fingerprint.js';
import { renderExport } from './export.js';
import type { RouterState } from './state.js';

const { Server, utils } = ssh2;

/**
 * Configuration RouterOS treats as sensitive (it is not in the API simulator's menus): rendered
 * after the state's own sections, its `sensitive` fields hidden unless asked for.
 */
export interface SecretEntry {
  /** Export section, e.g. `/ppp secret`. */
  section: string;
  fields: Record<string, string>;
  sensitive: string[];
}

export interface RouterSshFaults {
  /** Accept the command and never answer (client timeouts). */
  stall?: boolean;
  /** Append this many bytes of comment lines to every export (client output caps). */
  padBytes?: number;
}

export interface RouterSshOptions {
  state: RouterState;
  host?: '127.0.0.1' | '::1';
  /** 0 (the default) picks a free port; kept across restarts and key rotations. */
  port?: number;
  user: string;
  password: string;
  /** OpenSSH public keys (`ssh-ed25519 AAAA...`) accepted for public key authentication. */
  authorizedKeys?: string[];
  secrets?: SecretEntry[];
  faults?: RouterSshFaults;
  /** The time the export header shows. */
  now?: () => Date;
  /** The host key (OpenSSH or PEM private key); a fresh one when absent. Lab mode keeps one per router. */
  hostKey?: string;
}

export interface RouterSshStats {
  connections: number;
  authFailures: number;
  commands: number;
}

/** Default secrets of a lab router: a PPP account, an IPsec peer, Wi-Fi and SNMPv3 keys. */
export function labSecrets(id: string): SecretEntry[] {
  return [
    {
      section: '/ppp secret',
      fields: { name: `${id}-vpn`, password: `ppp-${id}-pw`, profile: 'default-encryption', service: 'l2tp' },
      sensitive: ['password'],
    },
    { section: '/ip ipsec identity', fields: { peer: 'diskominfo', secret: `ipsec-${id}-psk` }, sensitive: ['secret'] },
    {
      section: '/interface wifi security',
      fields: { name: 'opd-wifi', 'authentication-types': 'wpa2-psk', passphrase: `wifi ${id} pass` },
      sensitive: ['passphrase'],
    },
    {
      section: '/snmp community',
      fields: { name: 'simpul-v3', security: 'private', 'authentication-password': `auth-${id}`, 'encryption-password': `priv-${id}` },
      sensitive: ['authentication-password', 'encryption-password'],
    },
  ];
}

const IDLE_MS = 30_000;

/**
 * A fresh ed25519 host key. ssh2 1.17's generator yields, about 3 times in 1,000, a key its own
 * parser rejects ("Malformed OpenSSH private key"): draw again until the key parses.
 */
export function generateHostKey(): string {
  for (;;) {
    const key = utils.generateKeyPairSync('ed25519').private;
    if (!(utils.parseKey(key) instanceof Error)) return key;
  }
}

function quote(v: string): string {
  if (/^[\w.:/*,@+-]+$/.test(v)) return v;
  return `"${v.replace(/[\\"$?]/g, (c) => `\\${c}`)}"`;
}

/** The secret sections as export lines, sensitive fields omitted unless `show`. */
function renderSecrets(secrets: SecretEntry[], show: boolean): string[] {
  const lines: string[] = [];
  let section = '';
  for (const s of secrets) {
    if (s.section !== section) lines.push((section = s.section));
    const args = Object.entries(s.fields)
      .filter(([k]) => show || !s.sensitive.includes(k))
      .map(([k, v]) => `${k}=${quote(v)}`);
    lines.push(`add ${args.join(' ')}`);
  }
  return lines;
}

/** Terse form: every command line carries its section path. */
function terse(text: string): string {
  let section = '';
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('/')) section = line;
    else if (line.startsWith('#') || line === '') out.push(line);
    else out.push(`${section} ${line}`);
  }
  return out.join('\n');
}

export class RouterSshServer {
  readonly stats: RouterSshStats = { connections: 0, authFailures: 0, commands: 0 };
  faults: RouterSshFaults;
  secrets: SecretEntry[];
  private hostKey: string;
  /** The SSH protocol side; sockets are handed to it by our own TCP server, so stop() can cut them all. */
  private ssh: InstanceType<typeof Server>;
  private tcp: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private boundPort: number;

  constructor(private readonly opts: RouterSshOptions) {
    const host = opts.host ?? '127.0.0.1';
    if (host !== '127.0.0.1' && host !== '::1') throw new Error('the router SSH simulator listens on loopback only');
    this.hostKey = opts.hostKey ?? generateHostKey();
    this.ssh = this.protocol();
    this.boundPort = opts.port ?? 0;
    this.faults = opts.faults ?? {};
    this.secrets = opts.secrets ?? [];
  }

  get port(): number {
    return this.boundPort;
  }

  get host(): string {
    return this.opts.host ?? '127.0.0.1';
  }

  /** The host key's fingerprint as OpenSSH prints it (`SHA256:...`). */
  get fingerprint(): string {
    const key = utils.parseKey(this.hostKey);
    if (key instanceof Error) throw key;
    return sshFingerprint(key.getPublicSSH());
  }

  get running(): boolean {
    return this.tcp !== undefined;
  }

  private protocol(): InstanceType<typeof Server> {
    return new Server({ hostKeys: [this.hostKey] }, (client) => this.accept(client));
  }

  /** Listens (again, on the same port after a stop) so a router can go down and come back. */
  async start(): Promise<void> {
    if (this.tcp) return;
    const tcp = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      // like a router: a peer that says nothing (or nothing sensible) is dropped
      socket.setTimeout(IDLE_MS, () => socket.destroy());
      this.ssh.injectSocket(socket);
    });
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(this.boundPort, this.host, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (tcp.address() as net.AddressInfo).port;
    this.tcp = tcp;
  }

  /** Stops listening and cuts every connection, as a router that goes down. */
  async stop(): Promise<void> {
    const tcp = this.tcp;
    this.tcp = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }

  /** A new host key on the same port, as after a router is replaced or reinstalled. */
  async rotateHostKey(): Promise<string> {
    this.hostKey = generateHostKey();
    this.ssh = this.protocol();
    for (const s of this.sockets) s.destroy();
    return this.fingerprint;
  }

  /** What the router answers to one CLI command line (exit code 0 = understood). */
  run(command: string): { out: string; code: number } {
    const words = command.trim().split(/\s+/);
    const major = Number.parseInt(this.opts.state.resource.version ?? '7', 10);
    if (words[0] !== '/export' && words[0] !== 'export') return { out: `bad command name ${words[0] ?? ''} (line 1 column 1)\n`, code: 1 };
    const flags = new Set(words.slice(1));
    // RouterOS 7 hides sensitive values unless asked; 6 shows them unless asked not to
    const known = major >= 7 ? ['show-sensitive', 'terse', 'verbose'] : ['hide-sensitive', 'terse', 'verbose'];
    for (const f of flags) if (!known.includes(f)) return { out: `expected end of command (line 1 column ${command.indexOf(f) + 1})\n`, code: 1 };
    const show = major >= 7 ? flags.has('show-sensitive') : !flags.has('hide-sensitive');
    let text = renderExport(this.opts.state, this.opts.now?.() ?? new Date());
    const secrets = renderSecrets(this.secrets, show);
    const pad = this.faults.padBytes ?? 0;
    const padding = pad > 0 ? `${'# padding '.repeat(Math.ceil(pad / 10)).replace(/(.{70})/g, '$1\n')}\n` : '';
    text = `${text}${secrets.length ? `${secrets.join('\n')}\n` : ''}${padding}`;
    return { out: flags.has('terse') ? terse(text) : text, code: 0 };
  }

  private accept(client: Connection): void {
    this.stats.connections++;
    client.on('error', () => client.end());
    client.on('authentication', (ctx) => {
      if (ctx.username === this.opts.user) {
        if (ctx.method === 'password' && ctx.password === this.opts.password) return ctx.accept();
        const key = ctx.method === 'publickey' ? this.authorizedKey(ctx.key.data) : undefined;
        if (ctx.method === 'publickey' && key) {
          // the first publickey query carries no signature: it asks whether the key would do
          if (!ctx.signature) return ctx.accept();
          if (ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
        }
      }
      if (ctx.method !== 'none') this.stats.authFailures++;
      ctx.reject(['password', 'publickey']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (acceptExec, _reject, info) => {
          const channel = acceptExec();
          this.stats.commands++;
          if (this.faults.stall) return;
          this.answer(channel, info.command);
        });
      });
    });
  }

  private answer(channel: ServerChannel, command: string): void {
    const { out, code } = this.run(command);
    channel.write(out);
    channel.exit(code);
    channel.end();
  }

  private authorizedKey(data: Buffer): ParsedKey | undefined {
    for (const line of this.opts.authorizedKeys ?? []) {
      const k = utils.parseKey(line);
      if (!(k instanceof Error) && k.getPublicSSH().equals(data)) return k;
    }
    return undefined;
  }
}

export async function startRouterSsh(opts: RouterSshOptions): Promise<RouterSshServer> {
  const s = new RouterSshServer(opts);
  await s.start();
  return s;
}
