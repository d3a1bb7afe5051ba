/**
 * `vethlab serve`'s defaults and help text: apart from main.ts so that the
 * CLI's `vethlab serve --help` prints it without loading the server.
 */
export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';

export const SERVE_USAGE = `Usage: vethlab serve [--port 3000] [--host 127.0.0.1] [--topology FILE] [--real-host] [--data-dir DIR] [--allow-host NAME]...

Starts the web lab (run "npm run build" once first) and prints the default
lab's URL (with its edit token) and the admin URL that opens every lab. Every
lab is a lab machine of its own; "vethlab labs create NAME" makes more.
  --port N          port to listen on; 0 picks a free one
  --host ADDR       address to listen on; 0.0.0.0 serves other machines too (the token is still needed)
  --topology FILE   apply this topology file to the default lab at start
  --real-host       cable the real machine instead of lab machines (one lab, in its /run/netns)
  --data-dir DIR    where the lab keeps its state (default $VETHLAB_DATA_DIR or /var/lib/vethlab)
  --allow-host NAME another name this server may be reached by (e.g. behind a proxy); also $VETHLAB_ALLOWED_HOSTS
  --dev             Next.js development mode (hot reload), for working on the page;
                    without it the page built by "npm run build" is served
Tokens are kept in the data directory, so links stay valid across restarts.`;
