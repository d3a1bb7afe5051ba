/**
 * A lab as a file, the one way the CLI's `vethlab export` and the page's
 * Export both take: what the kernel has, reduced to what a topology file can
 * say (desiredFromObserved), written as YAML or as a bash script. So a file
 * exported either way is one that `vethlab apply` accepts.
 */
import { desiredFromObserved } from '../model/edits';
import type { Topology } from '../model/topology';
import { stringifyTopology } from '../model/topology-file';
import { exportShellScript } from './shell-script';

export const EXPORT_FORMATS = ['yaml', 'sh'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function exportLab(observed: Topology, format: ExportFormat, mark?: string): string {
  const topology = desiredFromObserved(observed);
  return format === 'yaml' ? stringifyTopology(topology) : exportShellScript(topology, mark);
}
