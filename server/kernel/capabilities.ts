/**
 * What this kernel can do that a lab may ask for. netem (sch_netem) is a
 * module some kernels leave out (this project's CI machine has none); a plan
 * that needs it must be refused before it runs, not fail half-way.
 */
import { spawn } from 'node:child_process';

export interface KernelCapabilities {
  /** `tc qdisc ... netem` works. */
  netem: boolean;
}

let probed: Promise<KernelCapabilities> | undefined;

/** Tries netem on the lo of a throwaway network namespace, once per process. */
export function kernelCapabilities(): Promise<KernelCapabilities> {
  probed ??= new Promise((resolve) => {
    const child = spawn('unshare', ['--net', '--', 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], { stdio: 'ignore' });
    child.on('error', () => resolve({ netem: false }));
    child.on('close', (code) => resolve({ netem: code === 0 }));
  });
  return probed;
}
