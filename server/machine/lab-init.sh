# The first process (PID 1) of a lab machine, in two stages.
#
# The setup runs as the real root, in a mount, PID and network namespace of
# the machine's own (nothing it mounts reaches the real machine). It turns
# the file system into a small machine's: the real one read-only, its own
# /proc, /sys (of an empty network namespace), /run (so its own /run/netns),
# /tmp, /dev/shm and home, and the directories named in its arguments (the
# data directory, other users' homes) hidden behind empty ones. Then it
# enters the lab's user namespace (HOLDER_PID holds it, with its id map
# written by the server) as its root, and unshares the lab's own mount,
# network, UTS and IPC namespaces there. The mounts made before are locked in
# them: the lab's root cannot unmount them to see what they cover (the real
# machine's /proc and /sys: every process of the machine and of the other
# labs, and the real network's devices). It is the real root that makes the
# mounts, not a second user namespace inside the lab's: on Ubuntu 23.10 and
# later, a user namespace made by a process without the real root's powers
# is left without any.
#
# The lab stage (/run/vethlab/lab), still PID 1, mounts the lab's /sys over
# the empty one, names the machine, and stays, reaping orphans, until the
# server kills it; as PID 1 of its namespace it ignores signals sent from inside.
# Arguments: LAB_NAME HOLDER_PID HIDDEN_DIR...
set -u
name=$1
holder=$2
shift 2
# The lab's user namespace, opened while the real /proc still shows the holder;
# the ids of the lab's root outside, which own what the lab may change.
exec 5< "/proc/$holder/ns/user"
read -r _ owner _ < "/proc/$holder/uid_map"

# Every inherited mount read-only, then the lab's own mounts. A `mount`
# process each was most of a lab's start-up time, so both lists are written
# as tables (fstab lines, paths escaped as /proc/self/mountinfo has them) and
# each is made by one `mount --all`. The tables need a file, which is kept on
# the lab's own /run, mounted first: the mounts it covers (at and under /run)
# are made read-only before it, one by one, and so is / (mount --all passes
# over it). Each remount keeps the mount's nosuid, nodev, noexec and atime
# flags (which a remount from inside a user namespace must repeat).
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
mount -t tmpfs -o mode=0755,uid=$owner,gid=$owner,size=16m,nosuid,nodev vethlab-run /run
mkdir -p /run/netns /run/vethlab/bin
chown "$owner:$owner" /run/netns
printf '%s' "$remounts" > /run/vethlab/remounts.fstab
mount --all --fstab /run/vethlab/remounts.fstab 2>/dev/null

# The lab's /proc (this PID namespace is the lab's), a /sys of this empty
# network namespace (the lab's may only mount its own where one is in view),
# /tmp, home (the lab's root's) and /dev/shm, and the hidden directories
# behind empty read-only ones. Sources are named vethlab-*: mount --all passes
# over a line whose source is mounted at its target already.
own="vethlab-proc /proc proc nosuid,nodev,noexec 0 0
vethlab-sys /sys sysfs nosuid,nodev,noexec 0 0
vethlab-tmp /tmp tmpfs mode=1777,uid=$owner,gid=$owner,size=64m,nosuid,nodev 0 0
vethlab-tmp /var/tmp tmpfs mode=1777,uid=$owner,gid=$owner,size=64m,nosuid,nodev 0 0
vethlab-home /root tmpfs mode=0700,uid=$owner,gid=$owner,size=64m,nosuid,nodev 0 0
vethlab-shm /dev/shm tmpfs mode=1777,uid=$owner,gid=$owner,size=16m,nosuid,nodev 0 0
"
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
# The lab's PID 1: a short loop that reaps orphans.
IFS= read -r -d '' text <<'INIT'
while :; do
  sleep 86400 &
  wait $!
done
INIT
printf '%s' "$text" > /run/vethlab/init
# The lab stage, run as the lab's root in its own namespaces.
IFS= read -r -d '' text <<'LAB'
exec 5<&-
mount -t sysfs -o nosuid,nodev,noexec vethlab-sys /sys 2>/dev/null
hostname "$1" 2>/dev/null
ip link set lo up
# Shells entered into the lab start where PID 1 is: the lab's home.
cd /root
echo ready
exec >/dev/null 2>&1 </dev/null
exec -a vethlab-init bash /run/vethlab/init
LAB
printf '%s' "$text" > /run/vethlab/lab

exec nsenter --user=/proc/self/fd/5 -- unshare --mount --net --uts --ipc --propagation private -- bash /run/vethlab/lab "$name"
