/** Access tokens: random, far beyond guessing, short enough to paste. */
import { randomBytes } from 'node:crypto';

/** 24 random bytes, 48 hex characters. */
export const TOKEN_BYTES = 24;

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('hex');
}
