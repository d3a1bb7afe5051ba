/** Class rosters on disk: `DATA_DIR/classes/NAME.json`, readable by root only (they list the labs). */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLASS_NAME, type ClassRoster } from './roster';

export class ClassStore {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'classes');
  }

  names(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json') && CLASS_NAME.test(f.slice(0, -5)))
      .map((f) => f.slice(0, -5))
      .sort();
  }

  get(name: string): ClassRoster | undefined {
    if (!CLASS_NAME.test(name)) return undefined;
    try {
      return JSON.parse(readFileSync(path.join(this.dir, `${name}.json`), 'utf8')) as ClassRoster;
    } catch {
      return undefined;
    }
  }

  save(c: ClassRoster): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(this.dir, `${c.name}.json`), JSON.stringify(c, null, 2) + '\n', { mode: 0o600 });
  }

  remove(name: string): void {
    if (CLASS_NAME.test(name)) rmSync(path.join(this.dir, `${name}.json`), { force: true });
  }
}
