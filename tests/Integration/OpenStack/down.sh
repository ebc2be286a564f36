#!/bin/bash
# Stops what up.sh started, by the pids it recorded in $AUTOSNAP_OSRIG_STATE/run/*.pid (never by name).
# Each service was started with setsid, so its pid is also its process group and session id: the whole
# group (API workers, Erlang helpers) gets SIGTERM, APIs first, then SIGKILL for what is left after 20 s.
# State (databases, images, servers) stays; `down.sh --wipe` also removes the state directory.
#   down.sh                   stop everything
#   down.sh glance-api ...    stop only these services (tests of an outage); up.sh starts them again
#   down.sh --wipe            stop everything and delete the state directory
set -uo pipefail
wipe=0; only=""
for a in "$@"; do case "$a" in --wipe) wipe=1 ;; *) only="$only $a" ;; esac; done
S=${AUTOSNAP_OSRIG_STATE:-/var/lib/autosnap-osrig}
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
group_alive() { ps -eo pgid= | tr -d ' ' | grep -qx "$1"; }  # any process left in that process group
order="nova-api nova-compute nova-scheduler nova-conductor cinder-api cinder-volume cinder-scheduler neutron-server glance-api placement keystone rabbitmq epmd"
others=$(cd $S/run 2>/dev/null && ls *.pid 2>/dev/null | sed 's/\.pid$//' | grep -vxF -f <(tr ' ' '\n' <<<"$order"))
stopping=""
[ -n "$only" ] && [ $wipe = 1 ] && { echo "--wipe stops everything; no service names with it" >&2; exit 2; }
for n in ${only:-$order $others}; do
  f=$S/run/$n.pid; [ -f $f ] || { [ -n "$only" ] && echo "$n: no pid file"; continue; }
  pid=$(cat $f)
  # ours only if it still leads its own session (a recycled pid after a reboot is somebody else's)
  if kill -0 "$pid" 2>/dev/null && [ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ]; then
    kill -TERM -- "-$pid" 2>/dev/null && stopping="$stopping $n:$pid"
  else
    echo "$n ($pid) was not running"
    rm -f $f
  fi
done
t0=$SECONDS
for _ in $(seq 1 40); do
  left=""
  for job in $stopping; do group_alive "${job#*:}" && left="$left $job"; done
  [ -z "$left" ] && break
  sleep 0.5
done
for job in $stopping; do
  n=${job%%:*} pid=${job#*:}
  if group_alive "$pid"; then kill -KILL -- "-$pid" 2>/dev/null; echo "$n ($pid) killed"; else echo "$n ($pid) stopped"; fi
  rm -f $S/run/$n.pid
done
[ -n "$stopping" ] && echo "stopped in $((SECONDS - t0))s"
if [ $wipe = 1 ]; then
  case "$S" in /|/var|/var/lib|"") echo "refusing to wipe '$S'" >&2; exit 1 ;; esac
  rm -rf "$S" && echo "wiped $S"
fi
exit 0
