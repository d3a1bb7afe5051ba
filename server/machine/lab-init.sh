# The first process (PID 1) of a lab machine. It runs as the lab's root, in
# the lab's own user, mount, network, PID, UTS and IPC namespaces, which it
# turns into a small machine: the real file system read-only, its own /proc,
# /sys, /run (so its own /run/netns), /tmp, /dev/shm and home, and the
# directories named in its arguments (the data directory, other users' homes)
# hidden behind empty ones. Then it stays, reaping orphans, until the server
# kills it; as PID 1 of its namespace it ignores signals sent from inside.
# Arguments: LAB_NAME HIDDEN_DIR...
set -u
name=$1
shift
hostname "$name" 2>/dev/null || true

# Every inherited mount read-only, then the lab's own mounts. A `mount`
# process each was most of a lab's start-up time, so both lists are written
# as tables (fstab lines, paths escaped as /proc/self/mountinfo has them) and
# each is made by one `mount --all`. The tables need a file, which is kept on
# the lab's own /run, mounted first: the mounts it covers (at and under /run)
# are made read-only before it, one by one, and so is / (mount --all passes
# over it). A bind remount must repeat the flags the kernel locked (nosuid,
# nodev, noexec, atime), or it is refused.
remounts=
while read -r _ _ _ _ target opts _; do
  keep=
  IFS=, read -ra flags <<< "$opts"
  for flag in "${flags[@]}"; do
    case $flag in nosuid|nodev|noexec|relatime|noatime|nodiratime|strictatime) keep+=,$flag ;; esac
  done
  case $target in
    /|/run|/run/*)
      printf -v path '%b' "$target"
      mount -o "remount,bind,ro$keep" "$path" 2>/dev/null ;;
    *) remounts+="none $target none remount,bind,ro$keep 0 0"$'\n' ;;
  esac
done < /proc/self/mountinfo
mount -t tmpfs -o mode=0755,size=16m,nosuid,nodev vethlab-run /run
mkdir -p /run/netns /run/vethlab/bin
printf '%s' "$remounts" > /run/vethlab/remounts.fstab
mount --all --fstab /run/vethlab/remounts.fstab 2>/dev/null

# The lab's own /proc, /sys, /tmp, home and /dev/shm, and the hidden
# directories behind empty read-only ones. Sources are named vethlab-*: mount
# --all passes over a line whose source is mounted at its target already.
own='vethlab-proc /proc proc nosuid,nodev,noexec 0 0
vethlab-sys /sys sysfs nosuid,nodev,noexec 0 0
vethlab-tmp /tmp tmpfs mode=1777,size=64m,nosuid,nodev 0 0
vethlab-tmp /var/tmp tmpfs mode=1777,size=64m,nosuid,nodev 0 0
vethlab-home /root tmpfs mode=0700,size=64m,nosuid,nodev 0 0
vethlab-shm /dev/shm tmpfs mode=1777,size=16m,nosuid,nodev 0 0
'
for d in "$@"; do
  [ -d "$d" ] || continue
  d=${d//\\/\\134}; d=${d// /\\040}; d=${d//$'\t'/\\011}; d=${d//$'\n'/\\012}
  own+="vethlab-hidden $d tmpfs mode=0755,size=64k,ro,nosuid,nodev,noexec 0 0"$'\n'
done
printf '%s' "$own" > /run/vethlab/mounts.fstab
mount --all --fstab /run/vethlab/mounts.fstab

# The tutorials type `sudo ip ...`; inside the lab everybody is root already.
IFS= read -r -d '' text <<'SUDO'
#!/bin/bash
# vethlab: inside a lab machine you are root already; this sudo runs the command as it is.
while [ $# -gt 0 ]; do
  case $1 in
    --) shift; break ;;
    -i|-s|--login|--shell) [ $# -eq 1 ] && exec bash -l; shift ;;
    -E|-H|-n|-k|-S|--preserve-env|--preserve-env=*) shift ;;
    -u|-g) shift 2 ;;
    -*) echo "sudo: option $1 is not supported in a vethlab lab (you are root already)" >&2; exit 1 ;;
    *) break ;;
  esac
done
[ $# -eq 0 ] && { echo "usage: sudo COMMAND [ARGS...]" >&2; exit 1; }
exec "$@"
SUDO
printf '%s' "$text" > /run/vethlab/bin/sudo
chmod 0755 /run/vethlab/bin/sudo
# The prompt names the lab and the node (VETHLAB_NODE, set per shell by the server).
IFS= read -r -d '' text <<'RC'
PS1='${VETHLAB_NODE:-lab}# '
HISTFILE=
alias ls='ls --color=auto'
alias grep='grep --color=auto'
RC
printf '%s' "$text" > /run/vethlab/bashrc
ip link set lo up
# Shells entered into the lab start where PID 1 is: the lab's home.
cd /root
# PID 1 from here on: a short loop that reaps orphans, under a name a student's `ps` explains.
IFS= read -r -d '' text <<'INIT'
while :; do
  sleep 86400 &
  wait $!
done
INIT
printf '%s' "$text" > /run/vethlab/init
echo ready
exec >/dev/null 2>&1 </dev/null
exec -a vethlab-init bash /run/vethlab/init
