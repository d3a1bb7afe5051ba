/**
 * The `vethlab` program's first module: help is printed from here, without
 * loading the engine (a whole `vethlab --help` costs little more than node's
 * own start); every command loads main.ts.
 */
import { USAGE } from './usage';

const argv = process.argv.slice(2);
const [command] = argv;
const dash = argv.indexOf('--');
// After `--` the words are exec's command's, not vethlab's.
const own = dash < 0 ? argv : argv.slice(0, dash);
const askedHelp = own.includes('-h') || own.includes('--help');

if (!command || command === '-h' || command === '--help' || command === 'help') {
  console.log(USAGE.main);
  process.exitCode = command ? 0 : 2;
} else if (askedHelp && Object.hasOwn(USAGE, command)) {
  console.log(USAGE[command]);
} else {
  await import('./main');
}
