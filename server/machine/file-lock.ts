/**
 * An exclusive lock on a file between processes (the server, the CLI), which
 * a crash cannot leave behind: a child, `flock FILE cat`, holds the kernel's
 * flock(2) on it, and ends when this process closes its stdin or dies
 * (kill -9 included), which lets go of the lock. Node itself has no flock.
 */
import { spawn } from 'node:child_process';

/** Waits for the lock on `file` (made if missing); resolves with the function that lets go of it. */
export function lockFile(file: string): Promise<() => void> {
  return new Promise((resolve, reject) => {
    // The echo says the lock is held; cat then waits for stdin to close.
    const holder = spawn('flock', ['--exclusive', file, 'sh', '-c', 'echo held; exec cat'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    holder.stdin.on('error', () => {}); // gone already when let go
    holder.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    holder.once('error', (e) => reject(new Error(`cannot lock ${file}: ${e.message} (flock comes with util-linux)`)));
    holder.once('exit', (code) => reject(new Error(`cannot lock ${file}: flock exited with ${code}: ${err.trim()}`)));
    holder.stdout.once('data', () => {
      holder.removeAllListeners('exit');
      holder.stdout.destroy();
      resolve(() => holder.stdin.end());
    });
  });
}
