#!/usr/bin/env node
import { Command } from 'commander';
import { lab, serve } from './serve.js';
import { ipamImport } from './ipam.js';
import { diagramsUpload, labelsValidate } from './labels.js';
import { routersApply, routersList, routersPlan } from './routers.js';
import { blocklistImport } from './blocklist.js';
import { agentEnroll, agentList, agentRevoke } from './agents.js';
import { userCreate, userDisable, userEnable, userList, userResetPassword, userUnlock } from './users.js';
import { backupCreate, backupList, backupRestore, backupTest } from './db-backup.js';
import { auditVerify, inventoryCheck, inventorySync, tokenCreate, tokenList, tokenRevoke } from './admin.js';

const program = new Command('simpul').description('Controller of the Jaringan Intra Pemerintah Daerah').version('0.1.0');
const withConfig = (c: Command) => c.option('-c, --config <file>', 'YAML config file (or SIMPUL_CONFIG)');

withConfig(program.command('serve').description('run the daemon on the configured inventory and devices')).action(serve);
withConfig(program.command('lab').description('run the daemon in lab mode: example regency, simulated devices, embedded SQLite')).action(lab);

const inventory = program.command('inventory').description('the regency inventory (OPDs, sites, devices, links)');
withConfig(inventory.command('check [dir]').description('validate the inventory; every problem with file and line; exit 1 if any')).action(inventoryCheck);
inventory
  .command('sync')
  .description('the running daemon loads its inventory now, as on SIGHUP (SIMPUL_URL, SIMPUL_TOKEN of a noc-admin)')
  .action(inventorySync);

const token = program.command('token').description('API tokens');
withConfig(
  token
    .command('create')
    .description('create a token and print it once')
    .requiredOption('--role <role>', 'noc-admin | noc-operator | opd-admin | viewer')
    .option('--opd <code>', 'the OPD an opd-admin token is bound to')
    .option('--name <name>', 'who holds it')
    .option('--expires-in <days>', 'days until expiry (0 = never)'),
).action(tokenCreate);
withConfig(token.command('list').description('list tokens (never their secrets)')).action(tokenList);
withConfig(token.command('revoke <id>').description('revoke a token')).action(tokenRevoke);

const user = program.command('user').description("people's accounts for the web pages (passwords never on the command line)");
withConfig(
  user
    .command('create <username>')
    .description('create an account; without --password-stdin a password is generated and printed once')
    .requiredOption('--role <role>', 'noc-admin | noc-operator | opd-admin | viewer')
    .option('--opd <code>', 'the OPD an opd-admin belongs to')
    .option('--name <name>', 'display name (default: the username)')
    .option('--email <address>', 'e-mail for notifications')
    .option('--lang <lang>', 'id (default) or en')
    .option('--password-stdin', 'read the password from the first line of standard input'),
).action(userCreate);
withConfig(user.command('list').description('list accounts (never their passwords)')).action(userList);
withConfig(user.command('disable <username>').description('disable an account and end its sessions')).action(userDisable);
withConfig(user.command('enable <username>').description('enable a disabled account')).action(userEnable);
withConfig(user.command('unlock <username>').description('lift the lockout after failed logins')).action(userUnlock);
withConfig(
  user
    .command('reset-password <username>')
    .description('set a new password (generated and printed once, or --password-stdin); ends its sessions')
    .option('--password-stdin', 'read the password from the first line of standard input'),
).action(userResetPassword);

const ipam = program.command('ipam').description('the IP numbering authority');
ipam
  .command('import <file>')
  .description(
    'import pools, allocations and addresses from CSV or YAML through the running daemon (SIMPUL_URL, SIMPUL_TOKEN); every wrong line reported; all or nothing',
  )
  .option('--dry-run', 'check every line, write nothing')
  .option('--format <format>', 'csv or yaml (default from the file name)')
  .action(ipamImport);

const blocklist = program.command('blocklist').description('site block lists, sent to the running daemon (SIMPUL_URL, SIMPUL_TOKEN)');
blocklist
  .command('import <category> <file>')
  .description('stream a list file (names, hosts, AdBlock ||name^, CSV, IPs) into a category as a named source; replaces that source')
  .option('--source <name>', 'the feed name (default: the file name)')
  .option('--format <format>', 'auto | domains | hosts | adblock | ip | csv (default: csv for .csv files, else auto)')
  .option('--dry-run', 'report what would change, change nothing')
  .action((category: string, file: string, o: { source?: string; dryRun?: boolean; format?: string }) => blocklistImport(category, file, o));

const backup = program
  .command('backup')
  .description("Simpul's own database, backed up to the DRC: create, test, list through the running daemon (SIMPUL_URL, SIMPUL_TOKEN); restore offline");
backup.command('create').description('snapshot, encrypt and ship a backup to the DRC target now').option('--json', 'print JSON').action(backupCreate);
backup
  .command('test [id]')
  .description('fetch a backup (the newest by default) back from the target and check it; exit 1 if it fails')
  .option('--json', 'print JSON')
  .action(backupTest);
backup.command('list').description('backups on the target with their restore tests').option('--json', 'print JSON').action(backupList);
withConfig(
  backup
    .command('restore <idOrFile>')
    .description('restore a backup (a file, or an id fetched from the configured target) into an empty data directory, checked first; never over a live one')
    .requiredOption('--data-dir <dir>', 'the new, empty data directory')
    .option('--key <file>', 'the backup key (default backup.database.keyFile)')
    .option('--audit-key <file>', 'the audit key kept at the DRC (default audit.keyFile); copied into the data directory'),
).action(backupRestore);

const audit = program.command('audit').description('the tamper-evident audit log');
withConfig(audit.command('verify').description('check the hash chain; exit 1 naming the first broken entry')).action(auditVerify);

const labels = program.command('labels').description('cable labels (the inter-node address code)');
withConfig(
  labels
    .command('validate <file>')
    .description('check labels, one per line, offline with the config grammar and the inventory; exit 1 if any is invalid')
    .option('--opd <code>', 'also check them together as one OPD (duplicates, a port on two cables)')
    .option('--lang <lang>', 'id (default) or en')
    .option('--json', 'print the result as JSON'),
).action(labelsValidate);

const diagrams = program.command('diagrams').description('LAN diagrams and cable surveys, sent to the running daemon (SIMPUL_URL, SIMPUL_TOKEN)');
diagrams
  .command('upload <opd> <file>')
  .description("upload a .drawio, .drawio.svg or .yaml diagram as the OPD's next version and print the report")
  .option('--lang <lang>', 'id (default) or en')
  .option('--json', 'print the whole answer as JSON')
  .action((opd: string, file: string, o: { lang?: string; json?: boolean }) => diagramsUpload(opd, file, o));
diagrams
  .command('survey <opd> <file>')
  .description('upload a cable survey CSV (location, end, label) and print the report per cable')
  .option('--lang <lang>', 'id (default) or en')
  .option('--json', 'print the whole answer as JSON')
  .action((opd: string, file: string, o: { lang?: string; json?: boolean }) => diagramsUpload(opd, file, { ...o, survey: true }));

const routers = program.command('routers').description('MikroTik routers and their desired state, from the running daemon (SIMPUL_URL, SIMPUL_TOKEN)');
routers.command('list').description('every router with its sync state').option('--json', 'print JSON').action(routersList);
routers
  .command('plan [id]')
  .description('read the router(s) now and show what an apply would change; writes nothing')
  .option('--json', 'print JSON')
  .action(routersPlan);
routers
  .command('apply [id]')
  .description('apply the desired state now (one router, or all); exit 1 if any is not ok')
  .option('--json', 'print JSON')
  .action(routersApply);

const agent = program
  .command('agent')
  .description('remote site agents (inventory agents:), through the running daemon (SIMPUL_URL, SIMPUL_TOKEN of a noc-admin)');
agent.command('enroll <id>').description('print a one-time enrollment code for the agent (valid 24 h)').action(agentEnroll);
agent.command('revoke <id>').description('revoke the agent: its next request is refused').action(agentRevoke);
agent.command('list').description('every agent: enrolled, last seen, backlog, dropped samples, devices').option('--json', 'print JSON').action(agentList);

await program.parseAsync();
