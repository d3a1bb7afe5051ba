/**
 * Exports a lab as a standalone bash script of plain `ip` commands that
 * rebuilds it on a bare machine: the plan from nothing to the topology,
 * without the lab's bookkeeping. In real-host mode (`mark` given) the
 * ownership marks stay, so that the lab owns what the script makes.
 */
import { emptyTopology, type Topology } from '../model/topology';
import { plan } from '../planner/plan';
import { commandLine } from '../model/step';

export function exportShellScript(topology: Topology, mark?: string): string {
  const steps = plan(topology, emptyTopology(topology.name), { mark }).filter((s) => !s.bookkeeping || (mark !== undefined && s.args.includes('alias')));
  const lines = [
    '#!/usr/bin/env bash',
    `# Lab "${topology.name.replace(/[^\w .-]/g, '')}", exported by vethlab on ${new Date().toISOString().slice(0, 10)}.`,
    '# Rebuilds the lab on a bare machine with plain iproute2 commands. Run it as root: bash this-file.sh',
    ...(mark ? [`# The "alias ${mark}" lines mark what the lab made, so \`vethlab destroy\` can remove it again.`] : []),
    'set -euo pipefail',
    '',
  ];
  for (const step of steps) {
    lines.push(`# ${step.reason}`, commandLine(step));
  }
  lines.push('');
  return lines.join('\n');
}
