/** The server's access token, kept in the data directory (mode 0600) so that it survives restarts. */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

const TOKEN_FILE = 'token';
/** newToken() makes 48 hex characters; anything shorter in the file is not ours. */
const MIN_TOKEN_CHARS = 32;

export async function loadToken(dataDir: string, make: () => string): Promise<string> {
  const file = path.join(dataDir, TOKEN_FILE);
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (/^[0-9a-f]+$/.test(text) && text.length >= MIN_TOKEN_CHARS) return text;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const token = make();
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(file, token + '\n', { mode: 0o600 });
  return token;
}
