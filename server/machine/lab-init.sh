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

# Every inherited mount read-only. A bind remount must repeat the flags the
# kernel locked (nosuid, nodev, noexec, atime), or it is refused.
# Plain bash, no subshell per mount: this loop is most of a lab's start-up time.
while read -r target opts; do
  printf -v target '%b' "$target"
  keep=
  IFS=, read -ra flags <<< "$opts"
  for flag in "${flags[@]}"; do
    case $flag in nosuid|nodev|noexec|relatime|noatime|nodiratime|strictatime) keep+=,$flag ;; esac
  done
  mount -o "remount,bind,ro$keep" "$target" 2>/dev/null || true
done < <(findmnt -rn -o TARGET,VFS-OPTIONS)

mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys 2>/dev/null || true
mount -t tmpfs -o mode=0755,size=16m,nosuid,nodev vethlab-run /run
mount -t tmpfs -o mode=1777,size=64m,nosuid,nodev vethlab-tmp /tmp
mount -t tmpfs -o mode=1777,size=64m,nosuid,nodev vethlab-tmp /var/tmp 2>/dev/null || true
mount -t tmpfs -o mode=0700,size=64m,nosuid,nodev vethlab-home /root
mount -t tmpfs -o mode=1777,size=16m,nosuid,nodev vethlab-shm /dev/shm 2>/dev/null || true
for d in "$@"; do
  [ -d "$d" ] && mount -t tmpfs -o mode=0755,size=64k,ro,nosuid,nodev,noexec vethlab-hidden "$d" 2>/dev/null
done

mkdir -p /run/netns /run/vethlab/bin
# The tutorials type `sudo ip ...`; inside the lab everybody is root already.
cat > /run/vethlab/bin/sudo <<'SUDO'
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
chmod 0755 /run/vethlab/bin/sudo
# The prompt names the lab and the node (VETHLAB_NODE, set per shell by the server).
cat > /run/vethlab/bashrc <<'RC'
PS1='${VETHLAB_NODE:-lab}# '
HISTFILE=
alias ls='ls --color=auto'
alias grep='grep --color=auto'
RC
ip link set lo up
# Shells entered into the lab start where PID 1 is: the lab's home.
cd /root
# PID 1 from here on: a short loop that reaps orphans, under a name a student's `ps` explains.
cat > /run/vethlab/init <<'INIT'
while :; do
  sleep 86400 &
  wait $!
done
INIT
echo ready
exec >/dev/null 2>&1 </dev/null
exec -a vethlab-init bash /run/vethlab/init
