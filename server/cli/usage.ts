/**
 * The CLI's help texts. Apart from main.ts so that `vethlab --help` prints
 * them without loading the engine (entry.ts).
 */
import { SERVE_USAGE } from '../web/serve-usage';
const LAB_OPTIONS = `  --lab NAME       the lab (default "default"); each lab is a lab machine of its own
  --real-host      cable the real machine instead (one lab, in its /run/netns)
  --data-dir DIR   where labs keep their state (default $VETHLAB_DATA_DIR or /var/lib/vethlab)`;

export const USAGE: Record<string, string> = {
  main: `vethlab: a lab for Linux network namespaces and veth pairs

Usage: vethlab <command> [options]

Commands:
  apply FILE [--dry-run]       make a lab match a topology file
  status [--json]              show a lab as the kernel has it
  check LESSON [--json] [--all]
                               grade a lab (or every lab) against a lesson (exit 0: every step passes)
  export [--format yaml|sh]    print a lab as a topology file or a bash script
  destroy [--dry-run]          remove a lab's machine and everything in it
  exec NODE -- COMMAND...      run a command in a node of a lab ("host": the lab machine itself)
  shell [NODE]                 open an interactive shell in a node of a lab
  labs                         list the labs (name, nodes, terminals, URL)
  labs create NAME... [--topology FILE]
                               create labs and print each one's URLs
  labs delete NAME...          destroy labs and forget them
  serve [--port 3000] [--host 127.0.0.1] [--topology FILE] [--real-host]
                               start the web lab

Options of every lab command:
${LAB_OPTIONS}
  -h, --help       help for a command`,
  apply: `Usage: vethlab apply FILE [--dry-run] [--lab NAME] [--real-host] [--data-dir DIR]

Reads a topology file (YAML), checks it, plans the iproute2 commands that make
the lab match it, and runs them inside the lab's machine (started if needed),
printing each command as it runs.
  --dry-run   print the plan only; change nothing
${LAB_OPTIONS}
Exit codes: 0 done, 1 a command failed (re-run apply to finish), 2 bad input.`,
  status: `Usage: vethlab status [--json] [--lab NAME] [--real-host] [--data-dir DIR]

Reads the lab from the kernel (ip -json) and prints its nodes, interfaces,
addresses, links and routes.
  --json   print the observed topology as JSON
${LAB_OPTIONS}`,
  check: `Usage: vethlab check LESSON [--json] [--all | --lab NAME] [--real-host] [--data-dir DIR]

Runs every check of every step of a lesson against the lab as it is (the
kernel, and pings and tracepath inside the lab), and prints a line per step:
passed, or failed and why. LESSON is an id from public/lessons
(two-namespaces, veth-host, lan-switch, routing, impaired-cable,
troubleshooting) or the path of a lesson file (.md). Packet checks are seen
live only (in the web lab) and are listed as not checked.
  --json   print the results as JSON
  --all    every lab of the data directory (a class): a line per lab
${LAB_OPTIONS}
Exit codes: 0 every step passes (in every lab), 1 a check fails (the first failing step is named), 2 bad input.`,
  export: `Usage: vethlab export [--format yaml|sh] [--lab NAME] [--real-host] [--data-dir DIR]

Prints the lab as a topology file (yaml, the default) or as a standalone bash
script of plain ip commands that rebuilds it on a bare machine.
${LAB_OPTIONS}`,
  destroy: `Usage: vethlab destroy [--dry-run] [--lab NAME] [--real-host] [--data-dir DIR]

Removes the lab's machine and everything made in it (real-host mode: every
namespace and host veth end the lab created, and nothing else). The lab's name
and tokens stay; "vethlab labs delete NAME" forgets it too.
  --dry-run   print what would be removed
${LAB_OPTIONS}`,
  exec: `Usage: vethlab exec [--lab NAME] [--real-host] NODE -- COMMAND [ARGS...]

Runs COMMAND in NODE of the lab: "host" (or the lab's host node) is the lab
machine itself, any other node runs under "ip netns exec NODE" inside it.
Standard input, output, error and the exit code pass through.
${LAB_OPTIONS}`,
  shell: `Usage: vethlab shell [--lab NAME] [NODE]

Opens an interactive root shell of the lab machine, or in NODE ("ip netns
exec NODE bash" inside it). Exit the shell to come back.
${LAB_OPTIONS}`,
  labs: `Usage: vethlab labs [--data-dir DIR]
       vethlab labs create NAME... [--topology FILE] [--data-dir DIR]
       vethlab labs delete NAME... [--data-dir DIR]

Lists the labs (name, nodes, open terminals, URL), creates labs (printing each
one's edit and view URL; with --topology, applies the file in each), or
destroys and forgets labs. Lab names: lower-case letters, digits and dashes.
  --port N   the port the URLs name (default 3000)`,
  serve: SERVE_USAGE,
};
