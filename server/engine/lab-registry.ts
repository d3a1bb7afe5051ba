/**
 * The labs of one data directory, by name: each has a directory of its own
 * (`labs/NAME/`: its record, its machine's record, its tokens). The CLI and
 * the server see the same labs through it. In real-host mode there is one
 * lab, `default`, kept apart in `real-host/`.
 *
 * Tokens: each lab has an edit token and a view token; the data directory
 * has one admin token that opens every lab. All are files of mode 0600 in
 * directories of mode 0700, and every lab machine has the data directory
 * hidden, so no lab can read them.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newToken } from './tokens';
import { dataDirFrom } from './lab-store';
import { Lab } from './lab';

export const DEFAULT_LAB = 'default';
/** Lab names appear in URLs, directory names and a machine's host name. */
export const LAB_NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;
const TOKENS_FILE = 'tokens.json';
const ADMIN_TOKEN_FILE = 'admin-token';
/** What a token lets its holder do with a lab. */
export type Role = 'edit' | 'view' | 'admin';

export interface LabTokens {
  edit: string;
  view: string;
}

/** A lab's page: `/` for the default lab, `/lab/NAME` for the others. */
export function labPath(name: string): string {
  return name === DEFAULT_LAB ? '/' : `/lab/${name}`;
}

export function labNameProblem(name: string): string | null {
  if (LAB_NAME.test(name)) return null;
  return `lab name ${JSON.stringify(name.slice(0, 64))} must be 1 to 31 lower-case letters, digits or dashes, starting with a letter or digit`;
}

function writeSecret(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

export interface RegistryOptions {
  dataDir?: string;
  realHost?: boolean;
  /** Labs opened keep persistent readers (the server). */
  persistentReaders?: boolean;
}

export class LabRegistry {
  readonly dataDir: string;
  readonly realHost: boolean;
  private readonly persistentReaders: boolean;
  private readonly open = new Map<string, Lab>();

  constructor(opts: RegistryOptions = {}) {
    this.dataDir = path.resolve(dataDirFrom(opts.dataDir));
    this.realHost = opts.realHost ?? false;
    this.persistentReaders = opts.persistentReaders ?? false;
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    // Tokens live here: never readable by anyone but root (an older version made it 0755).
    chmodSync(this.dataDir, 0o700);
  }

  private labDir(name: string): string {
    return this.realHost ? path.join(this.dataDir, 'real-host') : path.join(this.dataDir, 'labs', name);
  }

  /** Names of the labs that exist, sorted. */
  names(): string[] {
    if (this.realHost) return [DEFAULT_LAB];
    try {
      return readdirSync(path.join(this.dataDir, 'labs')).filter((n) => LAB_NAME.test(n) && existsSync(path.join(this.dataDir, 'labs', n, TOKENS_FILE))).sort();
    } catch {
      return [];
    }
  }

  exists(name: string): boolean {
    return this.names().includes(name);
  }

  /** Makes the lab's directory and tokens unless they exist (the machine itself starts on first use). */
  create(name: string): void {
    const problem = labNameProblem(name);
    if (problem) throw new Error(problem);
    if (this.realHost && name !== DEFAULT_LAB) throw new Error(`real-host mode has one lab, "${DEFAULT_LAB}"`);
    this.tokens(name);
  }

  /** The lab by name, created if needed; one Lab object per name in this process. */
  lab(name: string = DEFAULT_LAB): Lab {
    const problem = labNameProblem(name);
    if (problem) throw new Error(problem);
    let lab = this.open.get(name);
    if (!lab) {
      this.create(name);
      lab = new Lab({ dir: this.labDir(name), name, realHost: this.realHost, hide: [this.dataDir], persistentReaders: this.persistentReaders });
      this.open.set(name, lab);
    }
    return lab;
  }

  /** Destroys a lab's machine and removes the lab. */
  async delete(name: string): Promise<void> {
    const lab = this.lab(name);
    await lab.destroy();
    await lab.close();
    this.open.delete(name);
    rmSync(this.labDir(name), { recursive: true, force: true });
  }

  /** The lab's edit and view tokens (made on first use). */
  tokens(name: string): LabTokens {
    const file = path.join(this.labDir(name), TOKENS_FILE);
    try {
      const t = JSON.parse(readFileSync(file, 'utf8')) as Partial<LabTokens>;
      if (typeof t.edit === 'string' && typeof t.view === 'string' && t.edit.length >= 32 && t.view.length >= 32) return { edit: t.edit, view: t.view };
    } catch {
      // Missing or torn: made anew.
    }
    const tokens = { edit: newToken(), view: newToken() };
    writeSecret(file, JSON.stringify(tokens) + '\n');
    return tokens;
  }

  /** The token that opens every lab. */
  adminToken(): string {
    const file = path.join(this.dataDir, ADMIN_TOKEN_FILE);
    try {
      const text = readFileSync(file, 'utf8').trim();
      if (/^[0-9a-f]{32,}$/.test(text)) return text;
    } catch {
      // Made below.
    }
    const token = newToken();
    writeSecret(file, token + '\n');
    return token;
  }

  /** Ends every open lab's readers (the machines live on). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.open.values()].map((l) => l.close()));
  }
}
