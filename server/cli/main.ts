/**
 * The command line: apply, status, export, destroy, exec, shell, labs and
 * serve. Every argument is validated before anything changes; errors name the
 * argument and its value.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Lab } from '../engine/lab';
import { DEFAULT_LAB, LabRegistry, labNameProblem, labPath } from '../engine/lab-registry';
import { endOrphanMachines, labShellArgv } from '../machine/lab-machine';
import { netnsNameProblem } from '../model/names';
import { formatError, formatErrors } from '../model/topology-errors';
import { commandLine } from '../model/step';
import { statusTable } from './status-table';
import type { LogEntry } from '../engine/command-log';
import type { ApplyResult } from '../engine/lab';
import { USAGE } from './usage';


class UsageError extends Error {}

type Values = Record<string, string | boolean | string[] | undefined>;

const LAB_FLAGS: ParseArgsConfig['options'] = {
  'data-dir': { type: 'string' },
  lab: { type: 'string' },
  'real-host': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
};

function parse(command: string, argv: string[], options: ParseArgsConfig['options'], positionals = 0): { values: Values; positionals: string[] } {
  try {
    const res = parseArgs({ args: argv, options: { ...LAB_FLAGS, ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
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

function registryOf(values: Values): LabRegistry {
  return new LabRegistry({ dataDir: values['data-dir'] as string | undefined, realHost: values['real-host'] === true });
}

/**
 * The lab named by --lab (default "default"), checked. Only `apply` makes a
 * lab that does not exist yet (and the default lab always exists): a typo in
 * `status --lab` must not leave a new lab behind.
 */
function labOf(values: Values, opts: { create?: boolean } = {}): { registry: LabRegistry; lab: Lab } {
  const registry = registryOf(values);
  const name = (values.lab as string | undefined) ?? DEFAULT_LAB;
  const problem = labNameProblem(name);
  if (problem) throw new UsageError(`--lab: ${problem}`);
  if (registry.realHost && name !== DEFAULT_LAB) throw new UsageError(`--lab: real-host mode has one lab, "${DEFAULT_LAB}"; leave --lab out`);
  if (!opts.create && name !== DEFAULT_LAB && !registry.exists(name)) {
    throw new UsageError(`--lab: there is no lab "${name}"; "vethlab labs" lists them, "vethlab labs create ${name}" makes it`);
  }
  return { registry, lab: registry.lab(name) };
}

/** A batch's entries in one write: a plan of hundreds of commands is not hundreds of writes. */
function printEntries(entries: LogEntry[], verbose: boolean): void {
  const lines: string[] = [];
  for (const e of entries) {
    if (e.bookkeeping && !verbose) continue;
    const tag = e.bookkeeping ? ' (bookkeeping)' : '';
    if (e.source === 'info') lines.push(`# ${e.text}`);
    else if (e.status === 'ok') lines.push(`ok    ${e.text}${tag}`);
    else if (e.status === 'error') lines.push(`FAIL  ${e.text}\n      ${e.message?.replace(/\n/g, '\n      ')}`);
    else lines.push(`skip  ${e.text}`);
  }
  if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
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
async function loadTopology(file: string, what = 'FILE') {
  // Loaded when a file is read: the schema checker (zod) is most of the CLI's code to parse at start.
  const { readTopologyFile } = await import('../engine/topology-source');
  const parsed = await readTopologyFile(file, what);
  if (parsed.ok) return parsed.topology;
  for (const e of parsed.errors) console.error(`error: ${e.path === what ? '' : `${file}: `}${formatError(e)}`);
  console.error('Nothing was changed.');
  return null;
}

/** Runs argv with the terminal's stdio and resolves with its exit code (128+N for signal N). */
function runAttached(argv: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? osConstants.signals[signal] : 0)));
  });
}

/** The argv of a command in NODE of a lab: the machine's root for the host node, `ip netns exec NODE` otherwise. */
async function nodeCommand(lab: Lab, node: string, program: string[] | undefined): Promise<string[]> {
  const problem = node === 'host' ? null : netnsNameProblem(node);
  if (problem) throw new UsageError(`NODE: node name "${node}" ${problem}`);
  const isHost = node === 'host' || node === lab.store.record.hostName;
  if (lab.realHost) {
    const argv = program ?? ['bash', '-i'];
    return isHost ? argv : ['ip', 'netns', 'exec', node, ...argv];
  }
  await lab.ensureMachine();
  if (!isHost && !(await lab.observe()).topology.nodes[node]) throw new UsageError(`NODE: lab "${lab.name}" has no node "${node}"`);
  return lab.machineHandle!.enter(isHost ? undefined : node, labShellArgv(isHost ? lab.name : node, program));
}

function labUrl(port: number, name: string, token: string): string {
  return `http://127.0.0.1:${port}${labPath(name)}?token=${token}`;
}

async function labsCommand(rest: string[]): Promise<number> {
  const sub = rest[0] === 'create' || rest[0] === 'delete' ? rest[0] : undefined;
  const { values, positionals } = parse('labs', sub ? rest.slice(1) : rest, { topology: { type: 'string' }, port: { type: 'string', default: '3000' } }, sub ? Infinity : 0);
  const registry = registryOf(values);
  if (registry.realHost) throw new UsageError('labs: real-host mode has one lab; leave --real-host out');
  const orphans = await endOrphanMachines();
  if (orphans > 0) console.error(`# ended ${orphans} lab machine(s) whose lab directory is gone`);
  const port = Number(values.port);
  if (!/^\d{1,5}$/.test(values.port as string) || port > 65535) throw new UsageError(`--port: "${values.port}" is not a port number`);
  if (sub && positionals.length === 0) throw new UsageError(`labs ${sub} needs at least one lab NAME`);
  for (const name of positionals) {
    const problem = labNameProblem(name);
    if (problem) throw new UsageError(`NAME: ${problem}`);
  }
  if (sub === 'delete') {
    for (const name of positionals) {
      if (!registry.exists(name)) throw new UsageError(`NAME: there is no lab "${name}"; "vethlab labs" lists them`);
    }
    for (const name of positionals) {
      await registry.delete(name);
      console.log(`deleted lab ${name}`);
    }
    return 0;
  }
  if (sub === 'create') {
    const topology = values.topology ? await loadTopology(values.topology as string, '--topology') : undefined;
    if (topology === null) return 2;
    let failed = 0;
    for (const name of positionals) {
      const lab = registry.lab(name);
      await lab.ensureMachine();
      if (topology) {
        const result = await lab.apply(topology, { label: `apply ${values.topology}` });
        if (!result.ok) failed = reportFailure(result) || failed;
      }
      const t = registry.tokens(name);
      console.log(`${name}\n  edit: ${labUrl(port, name, t.edit)}\n  view: ${labUrl(port, name, t.view)}`);
    }
    return failed;
  }
  const rows = [['NAME', 'MACHINE', 'NODES', 'TERMINALS', 'URL']];
  for (const name of registry.names()) {
    const lab = registry.lab(name);
    const running = lab.machineHandle?.running ?? false;
    const nodes = running ? Object.keys((await lab.observe()).topology.nodes).length : 0;
    // A terminal is a process in the lab's cgroup started by the server: every shell is a bash whose parent left the machine.
    const terminals = running ? countTerminals(lab) : 0;
    rows.push([name, running ? 'running' : 'stopped', String(nodes), String(terminals), labUrl(port, name, registry.tokens(name).edit)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '));
  return 0;
}

/** Open terminals of a lab: shells the server started (`VETHLAB_NODE` in their environment) that are still running. */
function countTerminals(lab: Lab): number {
  let n = 0;
  for (const pid of lab.machineHandle?.cgroup?.pids() ?? []) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmd[0] === 'bash' && cmd.includes('--rcfile')) n++;
    } catch {
      // Gone.
    }
  }
  return n;
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
      const { lab } = labOf(values, { create: true });
      const topology = await loadTopology(positionals[0]);
      if (!topology) return 2;
      if (values['dry-run']) {
        const result = await lab.apply(topology, { dryRun: true });
        if (!result.ok) return reportFailure(result);
        for (const note of result.notes ?? []) console.log(`# ${note}`);
        if (result.steps.length === 0) console.log('# the kernel already matches; nothing to do');
        for (const s of result.steps) if (!s.bookkeeping || values.verbose) console.log(`${commandLine(s)}    # ${s.reason}`);
        return 0;
      }
      lab.log.on('entries', (e) => printEntries(e, values.verbose === true));
      const result = await lab.apply(topology, { label: `apply ${positionals[0]}` });
      return result.ok ? 0 : reportFailure(result);
    }
    case 'check': {
      const { values, positionals } = parse('check', rest, { json: { type: 'boolean' }, all: { type: 'boolean' } }, 1);
      if (!positionals[0]) throw new UsageError('check needs a LESSON: an id from public/lessons or a lesson file');
      if (values.all && values.lab !== undefined) throw new UsageError('--all checks every lab; leave --lab out');
      // Loaded here, not at start: lessons bring a Markdown parser that every other command would pay for.
      const [{ loadLesson }, { formatLessonErrors }, { gradeLesson }] = await Promise.all([import('../lessons/lesson-library'), import('../lessons/lesson-file'), import('../lessons/grade')]);
      const loaded = loadLesson(positionals[0]);
      if (!loaded.ok) {
        console.error(`vethlab: ${'notFound' in loaded ? '' : `${positionals[0]}: `}${formatLessonErrors(loaded.errors).replace(/\n/g, '\nvethlab: ')}`);
        return 2;
      }
      const lesson = loaded.lesson;
      const labs = values.all ? registryOf(values).names().map((name) => labOf({ ...values, lab: name }).lab) : [labOf(values).lab];
      const graded = [];
      for (const lab of labs) {
        const { topology } = await lab.observe();
        const steps = await gradeLesson(lesson, topology, lab.machine());
        graded.push({ lab: lab.name, steps, failing: steps.findIndex((s) => !s.ok) });
      }
      if (values.json) {
        const out = graded.map((g) => ({ lesson: lesson.id, lab: g.lab, passed: g.failing < 0, ...(g.failing >= 0 ? { firstFailing: g.failing + 1 } : {}), steps: g.steps }));
        console.log(JSON.stringify(values.all ? out : out[0], null, 2));
      } else if (values.all) {
        console.log(`Lesson "${lesson.title}" in ${graded.length} labs`);
        for (const g of graded) {
          const done = g.failing < 0 ? g.steps.length : g.failing;
          console.log(`${g.failing < 0 ? '✓' : '✗'} ${g.lab}: ${done} of ${g.steps.length} steps${g.failing < 0 ? '' : `; first failing: ${g.failing + 1}. ${g.steps[g.failing].title}`}`);
        }
      } else {
        const { steps, failing } = graded[0];
        console.log(`Lesson "${lesson.title}" in lab "${graded[0].lab}"`);
        steps.forEach((s, i) => {
          console.log(`${s.ok ? '✓' : '✗'} ${i + 1}. ${s.title}`);
          for (const c of s.checks) if (!c.ok || c.skipped) console.log(`    ${c.skipped ? '-' : '✗'} ${c.label}${c.found ? `: ${c.found}` : ''}`);
        });
        console.log(failing < 0 ? `All ${steps.length} steps pass.` : `First failing step: ${failing + 1}. ${steps[failing].title}`);
      }
      return graded.every((g) => g.failing < 0) ? 0 : 1;
    }
    case 'status': {
      const { values } = parse('status', rest, { json: { type: 'boolean' } });
      const { lab } = labOf(values);
      const { topology } = await lab.observe();
      if (values.json) console.log(JSON.stringify(topology, null, 2));
      else {
        const where = lab.realHost ? `real host, mark ${lab.mark}` : lab.machineHandle!.running ? `lab machine, pid ${lab.machineHandle!.pid}` : 'lab machine not running';
        console.log(statusTable(topology, `Lab "${lab.name}" (${where}; data ${lab.dir})`));
      }
      return 0;
    }
    case 'export': {
      const { values } = parse('export', rest, { format: { type: 'string', default: 'yaml' } });
      const format = values.format as string;
      if (format !== 'yaml' && format !== 'sh') throw new UsageError(`--format: "${format}" is not a format; use yaml or sh`);
      const { lab } = labOf(values);
      const { topology } = await lab.observe();
      const { exportLab } = await import('../export/export-lab');
      process.stdout.write(exportLab(topology, format, lab.mark));
      return 0;
    }
    case 'destroy': {
      const { values } = parse('destroy', rest, { 'dry-run': { type: 'boolean' } });
      const { lab } = labOf(values);
      if (values['dry-run']) {
        const result = await lab.destroy({ dryRun: true });
        if (!lab.realHost) console.log(lab.machineHandle!.running ? `# end lab machine ${lab.name} (pid ${lab.machineHandle!.pid}) and everything in it` : '# the lab machine is not running; nothing to remove');
        else if (result.steps.length === 0) console.log('# the lab owns nothing; nothing to remove');
        for (const s of result.steps) console.log(`${commandLine(s)}    # ${s.reason}`);
        return 0;
      }
      lab.log.on('entries', (e) => printEntries(e, values.verbose === true));
      const result = await lab.destroy();
      return result.ok ? 0 : reportFailure(result);
    }
    case 'exec': {
      const dash = rest.indexOf('--');
      if (dash < 0) throw new UsageError('exec needs NODE -- COMMAND [ARGS...]');
      const { values, positionals } = parse('exec', rest.slice(0, dash), {}, 1);
      const program = rest.slice(dash + 1);
      if (!positionals[0]) throw new UsageError('exec needs a NODE ("host" for the lab machine itself)');
      if (program.length === 0) throw new UsageError('exec needs a COMMAND after --');
      const { lab } = labOf(values);
      return runAttached(await nodeCommand(lab, positionals[0], program));
    }
    case 'shell': {
      const { values, positionals } = parse('shell', rest, {}, 1);
      const { lab } = labOf(values);
      return runAttached(await nodeCommand(lab, positionals[0] ?? 'host', undefined));
    }
    case 'labs':
      return labsCommand(rest);
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

// A reader that went away (`vethlab apply F | head -1`) ends the output, not the apply.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
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
