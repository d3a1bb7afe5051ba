# The start of a lab machine, in two stages.
#
# The outer stage runs as the lab's root in the lab's user namespace, as PID
# 1 of an outer PID namespace with a mount namespace of its own. It turns the
# file system into a small machine's: the real one read-only, its own /proc,
# /sys, /run (so its own /run/netns), /tmp, /dev/shm and home, and
# the directories named in its arguments (the data directory, other users'
# homes) hidden behind empty ones. Then it makes the lab proper: a second
# user namespace over the same ids, with the network, PID, UTS, IPC and mount
# namespaces a student works in. The mounts made here are locked in there, so
# the lab's root cannot unmount them to see what they cover (the real
# machine's /proc and /sys: every process of the machine and of the other
# labs, and the real network's devices).
#
# The inner stage (/run/vethlab/lab) is PID 1 of the lab: it mounts the
# lab's own /proc and /sys over the locked ones, names the machine, and stays,
# reaping orphans, until the server kills it; as PID 1 of its namespace it
# ignores signals sent from inside. The outer stage waits for it and ends
# with it. The server finds the inner one as the process whose PID is 1 in a
# namespace inside another.
# Arguments: LAB_NAME HIDDEN_DIR...
set -u
name=$1
shift

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

# The outer /proc and /sys (of this PID namespace, which holds the lab's,
# and of this empty network namespace: the lab's may only mount theirs where
# one is in view), /tmp, home and /dev/shm, and the hidden directories behind
# empty read-only ones. Sources are named vethlab-*: mount --all passes over a
# line whose source is mounted at its target already.
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
# The lab's PID 1: a short loop that reaps orphans.
IFS= read -r -d '' text <<'INIT'
while :; do
  sleep 86400 &
  wait $!
done
INIT
printf '%s' "$text" > /run/vethlab/init
# The inner stage, run once its user namespace has its ids (so it starts as root there).
IFS= read -r -d '' text <<'LAB'
mount -t proc -o nosuid,nodev,noexec vethlab-proc /proc
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

# The lab proper. Its first process waits for a line on its stdin: by then
# its user namespace maps the same ids as this one (written below, from here,
# where root may), and its exec makes it root there.
exec 3> >(exec unshare --user --mount --net --pid --uts --ipc --fork --propagation private -- bash -c 'read -r _; exec </dev/null; exec bash /run/vethlab/lab "$0"' "$name")
lab=$!
for ((i = 0; i < 5000; i++)); do
  [[ -e /proc/$lab/ns/user && ! /proc/$lab/ns/user -ef /proc/self/ns/user ]] && break
done
read -r _ _ count < /proc/self/uid_map
printf '0 0 %s\n' "$count" > "/proc/$lab/uid_map" && printf '0 0 %s\n' "$count" > "/proc/$lab/gid_map" || { echo "the lab's user namespace could not be made" >&2; exit 1; }
echo go >&3
exec 3>&- >/dev/null 2>&1 </dev/null
# The outer stage ends with the lab: as the outer PID 1, it takes whatever is left with it.
wait "$lab"
