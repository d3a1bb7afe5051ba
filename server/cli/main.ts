/**
 * The command line: apply, status, export, destroy and serve. Every argument
 * is validated before anything changes; errors name the argument and value.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Lab } from '../engine/lab';
import { stringifyTopology } from '../model/topology-file';
import { formatError, formatErrors } from '../model/topology-errors';
import { readTopologyFile } from '../engine/topology-source';
import { exportShellScript } from '../export/shell-script';
import { commandLine } from '../planner/step';
import { statusTable } from './status-table';
import type { LogEntry } from '../protocol';
import type { ApplyResult } from '../engine/lab';

const USAGE: Record<string, string> = {
  main: `vethlab: a lab for Linux network namespaces and veth pairs

Usage: vethlab <command> [options]

Commands:
  apply FILE [--dry-run]       make the kernel match a topology file
  status [--json]              show the running lab
  export [--format yaml|sh]    print the running lab as a topology file or a bash script
  destroy [--dry-run]          remove everything the lab created
  serve [--port 3000] [--host 127.0.0.1] [--topology FILE]
                               start the web lab

Common options:
  --data-dir DIR   where the lab keeps its state (default $VETHLAB_DATA_DIR or /var/lib/vethlab)
  -h, --help       help for a command`,
  apply: `Usage: vethlab apply FILE [--dry-run] [--data-dir DIR]

Reads a topology file (YAML), checks it, plans the iproute2 commands that make
the kernel match it, and runs them, printing each command as it runs.
  --dry-run   print the plan only; change nothing
Exit codes: 0 done, 1 a command failed (re-run apply to finish), 2 bad input.`,
  status: `Usage: vethlab status [--json] [--data-dir DIR]

Reads the lab from the kernel (ip -json) and prints its nodes, interfaces,
addresses, links and routes.
  --json   print the observed topology as JSON`,
  export: `Usage: vethlab export [--format yaml|sh] [--data-dir DIR]

Prints the running lab as a topology file (yaml, the default) or as a
standalone bash script of plain ip commands that rebuilds it on a bare machine.`,
  destroy: `Usage: vethlab destroy [--dry-run] [--data-dir DIR]

Removes every namespace and host veth end this lab created, and nothing else.
  --dry-run   print what would be removed`,
  serve: `Usage: vethlab serve [--port 3000] [--host 127.0.0.1] [--topology FILE] [--data-dir DIR]

Starts the web lab (run "npm run build" once first). Prints the URL to open,
with its access token.`,
};

class UsageError extends Error {}

type Values = Record<string, string | boolean | undefined>;

function parse(command: string, argv: string[], options: ParseArgsConfig['options'], positionals = 0): { values: Values; positionals: string[] } {
  try {
    const res = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' }, 'data-dir': { type: 'string' } }, allowPositionals: true, strict: true });
    if (res.values.help) {
      console.log(USAGE[command]);
      process.exit(0);
    }
    if (res.positionals.length > positionals) throw new UsageError(`unexpected argument "${res.positionals[positionals]}"`);
    return { values: res.values as Values, positionals: res.positionals };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

function printEntries(entries: LogEntry[]): void {
  for (const e of entries) {
    if (e.source === 'info') console.log(`# ${e.text}`);
    else if (e.status === 'ok') console.log(`ok    ${e.text}`);
    else if (e.status === 'error') console.log(`FAIL  ${e.text}\n      ${e.message?.replace(/\n/g, '\n      ')}`);
    else console.log(`skip  ${e.text}`);
  }
}

function reportFailure(result: ApplyResult): number {
  if (result.errors?.length) {
    console.error(formatErrors(result.errors).replace(/^/gm, 'error: '));
    console.error('Nothing was changed.');
    return 2;
  }
  if (result.failure) {
    console.error(`\nerror: "${result.failure.command}" failed: ${result.failure.message}`);
    console.error('The lab is left as far as it got; fix the cause and run the same command again to finish.');
    return 1;
  }
  return 0;
}

/** The checked topology of FILE, or null after printing why not (exit 2: nothing was changed). */
async function loadTopology(file: string) {
  const parsed = await readTopologyFile(file, 'FILE');
  if (parsed.ok) return parsed.topology;
  for (const e of parsed.errors) console.error(`error: ${e.path === 'FILE' ? '' : `${file}: `}${formatError(e)}`);
  console.error('Nothing was changed.');
  return null;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    console.log(USAGE.main);
    return command ? 0 : 2;
  }
  switch (command) {
    case 'apply': {
      const { values, positionals } = parse('apply', rest, { 'dry-run': { type: 'boolean' } }, 1);
      if (!positionals[0]) throw new UsageError('apply needs a topology FILE');
      const topology = await loadTopology(positionals[0]);
      if (!topology) return 2;
      const lab = new Lab(values['data-dir'] as string | undefined);
      if (values['dry-run']) {
        const result = await lab.apply(topology, { dryRun: true });
        if (!result.ok) return reportFailure(result);
        if (result.steps.length === 0) console.log('# the kernel already matches; nothing to do');
        for (const s of result.steps) console.log(`${commandLine(s)}    # ${s.reason}`);
        return 0;
      }
      lab.log.on('entries', printEntries);
      const result = await lab.apply(topology, { label: `apply ${positionals[0]}` });
      return result.ok ? 0 : reportFailure(result);
    }
    case 'status': {
      const { values } = parse('status', rest, { json: { type: 'boolean' } });
      const lab = new Lab(values['data-dir'] as string | undefined);
      const { topology } = await lab.observe();
      if (values.json) console.log(JSON.stringify(topology, null, 2));
      else console.log(statusTable(topology, `Lab "${topology.name}" (data ${lab.dataDir}, mark ${await lab.mark()})`));
      return 0;
    }
    case 'export': {
      const { values } = parse('export', rest, { format: { type: 'string', default: 'yaml' } });
      const format = values.format as string;
      if (format !== 'yaml' && format !== 'sh') throw new UsageError(`--format: "${format}" is not a format; use yaml or sh`);
      const lab = new Lab(values['data-dir'] as string | undefined);
      const { topology } = await lab.observe();
      process.stdout.write(format === 'yaml' ? stringifyTopology(topology) : exportShellScript(topology, await lab.mark()));
      return 0;
    }
    case 'destroy': {
      const { values } = parse('destroy', rest, { 'dry-run': { type: 'boolean' } });
      const lab = new Lab(values['data-dir'] as string | undefined);
      if (values['dry-run']) {
        const result = await lab.destroy({ dryRun: true });
        if (result.steps.length === 0) console.log('# the lab owns nothing; nothing to remove');
        for (const s of result.steps) console.log(`${commandLine(s)}    # ${s.reason}`);
        return 0;
      }
      lab.log.on('entries', printEntries);
      const result = await lab.destroy();
      return result.ok ? 0 : reportFailure(result);
    }
    case 'serve': {
      const { runServe, ServeUsageError } = await import('../web/main');
      try {
        await runServe(rest);
      } catch (e) {
        throw e instanceof ServeUsageError ? new UsageError(e.message) : e;
      }
      return -1; // keeps running
    }
    default:
      throw new UsageError(`unknown command "${command}"; run vethlab --help`);
  }
}

if (process.getuid?.() !== 0 && !['-h', '--help', 'help', undefined].includes(process.argv[2]) && !process.argv.includes('--help') && !process.argv.includes('-h')) {
  console.error('error: vethlab changes network namespaces and needs root; run it with sudo');
  process.exit(2);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e) => {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      process.exitCode = 2;
    } else {
      console.error(`error: ${(e as Error).message}`);
      process.exitCode = 1;
    }
  },
);
