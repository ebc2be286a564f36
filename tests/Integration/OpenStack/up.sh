#!/bin/bash
# Autosnap's integration tier: a minimal real OpenStack (Debian 12 "bookworm" = Zed) on 127.0.0.1.
#   rabbitmq, keystone (v3), placement, glance (v2, file store), neutron-server (ML2, no agents: Nova asks
#   it for ports), nova api/conductor/scheduler/compute with the fake virt driver (lib/autosnap_fake.py
#   adds the hypervisor's upload so snapshots go queued -> saving -> active), cinder api/scheduler/volume
#   (block storage v3, python3-cinder's fake volume driver: no disks) wired to Nova, so servers boot from
#   volumes and createImage of a volume-backed server makes Cinder snapshots.
# All databases are sqlite. Needs root and Debian; installs missing packages with apt-get.
#
# Idempotent: if everything already runs it only checks (a few seconds); otherwise it starts what is
# missing. State, logs, pids, env files: $AUTOSNAP_OSRIG_STATE (default /var/lib/autosnap-osrig).
# Stop with down.sh. See README.md.
set -euo pipefail
T0=$(date +%s)
HERE=$(cd "$(dirname "$0")" && pwd)
LIB=$HERE/lib
S=${AUTOSNAP_OSRIG_STATE:-/var/lib/autosnap-osrig}
PW=${AUTOSNAP_OSRIG_PASSWORD:-secret}
export AUTOSNAP_OSRIG_SERVERS=${AUTOSNAP_OSRIG_SERVERS:-3} AUTOSNAP_OSRIG_PASSWORD=$PW
H=127.0.0.1
COMPUTE_HOST=autosnap-osrig-compute
# Never a pyenv/venv python: the services are Debian's python3-* packages, importable only by /usr/bin/python3.
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
PY=/usr/bin/python3
log() { echo "[up $(( $(date +%s) - T0 ))s] $*"; }
die() { echo "up.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (it installs packages and runs services)"
[ -f /etc/debian_version ] && command -v apt-get >/dev/null || die "Debian only (needs apt-get and Debian's OpenStack packages)"

# ------------------------------------------------------------------------------------------ packages
PKGS="python3-keystone python3-glance python3-placement python3-nova python3-neutron python3-cinder
      python3-openstackclient rabbitmq-server sqlite3 curl jq iproute2"
missing=$(for p in $PKGS; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"; done)
if [ -n "$missing" ]; then
  log "installing: $(echo $missing)"
  # policy-rc.d (exit 101) keeps rabbitmq-server's postinst from starting a system-wide broker. Only the
  # python3-* libraries are installed, not the daemon packages: no dbconfig prompts, no init scripts,
  # no Apache, no libvirt.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created_policy=1; fi
  aptlog=$(mktemp /tmp/autosnap-osrig-apt.XXXXXX)
  { DEBIAN_FRONTEND=noninteractive apt-get update -q && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing; } >"$aptlog" 2>&1 \
    || { tail -30 "$aptlog"; [ $created_policy = 1 ] && rm -f /usr/sbin/policy-rc.d; die "apt-get failed (log $aptlog)"; }
  [ $created_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
  log "packages installed (log $aptlog)"
fi

mkdir -p $S/{etc/keystone,etc/glance,etc/nova,etc/placement,etc/neutron,etc/cinder,db,log,run,lock,control} \
         $S/keystone/{fernet-keys,credential-keys} $S/glance/{images,staging,tasks} \
         $S/nova/instances $S/neutron $S/rabbitmq $S/cinder/{conversion,lock}
chmod 700 $S $S/keystone/fernet-keys $S/keystone/credential-keys

# ------------------------------------------------------------------------------------------ processes
SERVICES="epmd rabbitmq keystone placement glance-api neutron-server cinder-scheduler cinder-volume cinder-api
          nova-conductor nova-scheduler nova-compute nova-api"
# A pid file counts only if that process still runs and leads its own session (start() uses setsid),
# so a recycled pid after a reboot is not mistaken for ours.
running() {
  local f=$S/run/$1.pid pid
  [ -f $f ] || return 1
  pid=$(cat $f)
  kill -0 "$pid" 2>/dev/null && [ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ]
}
port_owner() { ss -Hltnp "sport = :$1" 2>/dev/null | head -1; }
start() { # name port cmd...   own session => pid == pgid; down.sh signals the whole group
  local n=$1 port=$2; shift 2
  if running $n; then return 0; fi
  if [ "$port" != - ] && [ -n "$(port_owner $port)" ]; then
    die "port $port (for $n) is taken by something that is not ours: $(port_owner $port)"
  fi
  setsid "$@" >>$S/log/$n.out 2>&1 </dev/null &
  echo $! >$S/run/$n.pid
  log "started $n (pid $!)"
}
wait_http() { # name url
  for _ in $(seq 1 150); do
    curl -s -o /dev/null -m 2 "$2" && return 0
    running $1 || { tail -30 $S/log/$1.out $S/log/$1.log 2>/dev/null; die "$1 died while starting (logs in $S/log)"; }
    sleep 1
  done
  die "$1 not answering at $2"
}
# Upstream console-script entry points whose /usr/bin wrappers live in daemon packages we skip.
pymain() { # argv0 module args...
  local n=$1 m=$2; shift 2
  $PY -c "import sys; sys.argv[0] = '$n'; from $m import main; sys.exit(main())" "$@"
}
osrig() { $PY $LIB/osrig.py $S "$@"; }

all_running() { for n in $SERVICES; do running $n || return 1; done; }
record_time() { echo "$(date -u +%FT%TZ) $1 $(( $(date +%s) - T0 ))s" >>$S/log/up-timings.log; }

summary() {
  cat <<EOF

=== Autosnap integration tier: OpenStack Zed (Debian 12) on $H ===
identity  http://$H:5000/v3     (keystone, v3 only)        image   http://$H:9292  (glance v2, file store)
compute   http://$H:8774/v2.1   (nova, fake driver, microversions 2.1-2.93)
placement http://$H:8778        network http://$H:9696 (neutron, no agents)
block storage http://$H:8776/v3/<project id> (cinder, types volumev3 and block-storage, fake volume driver)
env files: $S/env (demo, project demo)  $S/env.admin (admin)  rig.json: $S/rig.json
servers:
$(jq -r '.servers[] | "  \(.id)  \(.name)"' $S/rig.json)
$(jq -r '.volumeServers[] | "  \(.id)  \(.name)  (\(.kind); volumes \(.volumes | map(.id) | join(" ")))"' $S/rig.json)
$(jq -r '.network | "  \(.server.id)  \(.server.name)  (on network \(.name) \(.id), \(.cidr); key pair autosnap-it-key)"' $S/rig.json)
flavors: $(jq -r '[.flavors[] | "\(.name) (\(.ram) MB, \(.disk) GB)"] | join(", ")' $S/rig.json)
snapshots: uploaded by the compute driver ~${AUTOSNAP_OSRIG_UPLOAD_DELAY:-2}s after createImage; hold/fail them with
           touch $S/control/hold | $S/control/fail   (rm to release)
pids: $(cd $S/run && for f in *.pid; do printf '%s=%s ' "${f%.pid}" "$(cat $f)"; done)
logs: $S/log   stop: $HERE/down.sh
EOF
}

# Already up? Then only check.
if all_running && [ -f $S/rig.json ] && osrig check; then
  record_time reuse
  log "already running; checked"
  summary
  exit 0
fi

# ------------------------------------------------------------------------------------------ configuration
# Rewritten on every start; a running service keeps what it loaded (down.sh && up.sh to apply changes).
authtoken() { # $1 = service user
cat <<EOF
[keystone_authtoken]
www_authenticate_uri = http://$H:5000
auth_url = http://$H:5000
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $PW
region_name = RegionOne
EOF
}

cat >$S/etc/keystone/keystone.conf <<EOF
[DEFAULT]
log_file = $S/log/keystone.log
[database]
connection = sqlite:///$S/db/keystone.sqlite
[token]
provider = fernet
[fernet_tokens]
key_repository = $S/keystone/fernet-keys
[credential]
key_repository = $S/keystone/credential-keys
EOF

cat >$S/etc/placement/placement.conf <<EOF
[DEFAULT]
log_file = $S/log/placement.log
[placement_database]
connection = sqlite:///$S/db/placement.sqlite
[api]
auth_strategy = keystone
$(authtoken placement)
EOF

cat >$S/etc/glance/glance-api.conf <<EOF
[DEFAULT]
bind_host = $H
bind_port = 9292
workers = 0
log_file = $S/log/glance-api.log
enabled_backends = fs:file
[database]
connection = sqlite:///$S/db/glance.sqlite
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $S/glance/images/
[os_glance_staging_store]
filesystem_store_datadir = $S/glance/staging/
[os_glance_tasks_store]
filesystem_store_datadir = $S/glance/tasks/
[paste_deploy]
flavor = keystone
config_file = $HERE/etc/glance-api-paste.ini
[oslo_concurrency]
lock_path = $S/lock
$(authtoken glance)
EOF

cat >$S/etc/neutron/neutron.conf <<EOF
[DEFAULT]
bind_host = $H
bind_port = 9696
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
transport_url = rabbit://guest:guest@$H:5672/
api_workers = 0
rpc_workers = 0
rpc_state_report_workers = 0
state_path = $S/neutron
log_file = $S/log/neutron-server.log
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
api_paste_config = $HERE/etc/neutron-api-paste.ini
[database]
connection = sqlite:///$S/db/neutron.sqlite
[oslo_concurrency]
lock_path = $S/lock
[ml2]
# 'local' networks are what a project may make itself (no VLANs, no tunnels: nothing carries packets here);
# lib/autosnap_ml2.py binds every port, so servers boot on them (without it: PortBindingFailed)
type_drivers = flat,local
tenant_network_types = local
mechanism_drivers = autosnap_loopback
extension_drivers =
[ml2_type_flat]
flat_networks = *
$(authtoken neutron)
EOF

# Cinder: one backend "fake", python3-cinder's FakeLoggingVolumeDriver (an LVM driver whose LVM and target calls
# do nothing), so volumes, snapshots and attachments exist only in Cinder's database. Volumes are blank: making
# one from an image would need /dev/mapper (the LVM driver writes the image there), which this tier does not
# touch; a blank volume marked bootable boots Nova's fake driver just as well.
# Service tokens: Zed's keystonemiddleware in cinder-api requires the 'service' role of a request's
# X-Service-Token user (service_token_roles_required), and nova sends one ([service_user] below).
cat >$S/etc/cinder/cinder.conf <<EOF
[DEFAULT]
transport_url = rabbit://guest:guest@$H:5672/
host = autosnap-osrig-block
my_ip = $H
osapi_volume_listen = $H
osapi_volume_listen_port = 8776
osapi_volume_workers = 1
state_path = $S/cinder
auth_strategy = keystone
api_paste_config = $HERE/etc/cinder-api-paste.ini
resource_query_filters_file = $HERE/etc/cinder-resource_filters.json
enabled_backends = fake
default_volume_type = __DEFAULT__
glance_api_servers = http://$H:9292
image_conversion_dir = $S/cinder/conversion
# fewer service heartbeats on sqlite, as for nova
report_interval = 30
# a request that fails between quota reservation and commit (seen: sqlite's lock) leaves its reservation, which
# counts against the quota until it expires (default a day): here 5 minutes, swept every minute by cinder-scheduler
reservation_expire = 300
reservation_clean_interval = 60
[database]
# sqlite waits up to 20 s for another process's write lock (default 5 s): cinder-api, -volume and -scheduler all write
connection = sqlite:///$S/db/cinder.sqlite?timeout=20
[oslo_concurrency]
lock_path = $S/cinder/lock
[coordination]
backend_url = file://$S/cinder/lock
[fake]
volume_driver = cinder.tests.fake_driver.FakeLoggingVolumeDriver
volume_backend_name = fake
volume_group = cinder-volumes
target_helper = fake
$(authtoken cinder)
service_token_roles = service
service_token_roles_required = true
[nova]
region_name = RegionOne
interface = public
auth_type = password
auth_url = http://$H:5000/v3
project_name = service
project_domain_name = Default
username = cinder
user_domain_name = Default
password = $PW
EOF

service_user() { # section user
cat <<EOF
[$1]
region_name = RegionOne
valid_interfaces = public
auth_type = password
auth_url = http://$H:5000/v3
project_name = service
project_domain_name = Default
username = $2
user_domain_name = Default
password = $PW
EOF
}
cat >$S/etc/nova/nova.conf <<EOF
[DEFAULT]
transport_url = rabbit://guest:guest@$H:5672/
my_ip = $H
host = $COMPUTE_HOST
state_path = $S/nova
instances_path = $S/nova/instances
compute_driver = autosnap_fake.UploadingFakeDriver
enabled_apis = osapi_compute
osapi_compute_listen = $H
osapi_compute_listen_port = 8774
osapi_compute_workers = 1
heal_instance_info_cache_interval = -1
# Fewer service heartbeats: on sqlite they contend with API writes ("database is locked", which made createImage
# answer 500 after Glance had already created the image).
report_interval = 60
service_down_time = 180
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $HERE/etc/nova-api-paste.ini
[api_database]
connection = sqlite:///$S/db/nova_api.sqlite
[database]
connection = sqlite:///$S/db/nova.sqlite
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = -1
[oslo_concurrency]
lock_path = $S/lock
[vnc]
enabled = false
[glance]
region_name = RegionOne
valid_interfaces = public
[cinder]
os_region_name = RegionOne
catalog_info = volumev3::publicURL
$(service_user placement nova)
$(service_user neutron nova)
$(service_user service_user nova)
send_service_user_token = true
$(authtoken nova)
EOF

# ------------------------------------------------------------------------------------------ databases
# Independent sqlite files, so the schema steps run side by side (about 25 s instead of 50 s on 2 cores).
wal() { sqlite3 $S/db/$1.sqlite 'PRAGMA journal_mode=WAL;' >/dev/null; }
KS="keystone-manage --config-file $S/etc/keystone/keystone.conf"
NM="pymain nova-manage nova.cmd.manage --config-file $S/etc/nova/nova.conf"
db_keystone() {
  $KS db_sync
  $KS fernet_setup --keystone-user root --keystone-group root
  $KS credential_setup --keystone-user root --keystone-group root
  $KS bootstrap --bootstrap-password "$PW" --bootstrap-region-id RegionOne \
     --bootstrap-admin-url http://$H:5000/v3/ --bootstrap-internal-url http://$H:5000/v3/ \
     --bootstrap-public-url http://$H:5000/v3/
  wal keystone
}
db_placement() { placement-manage --config-file $S/etc/placement/placement.conf db sync; wal placement; }
db_glance() { pymain glance-manage glance.cmd.manage --config-file $S/etc/glance/glance-api.conf db_sync; wal glance; }
db_neutron() { # its alembic chain needs MySQL; the schema comes from the models instead
  $PY -c "import sqlalchemy; from neutron.db.migration.models import head
head.get_metadata().create_all(sqlalchemy.create_engine('sqlite:///$S/db/neutron.sqlite'))"
  wal neutron
}
db_nova() {
  $NM api_db sync
  $NM cell_v2 map_cell0 --database_connection sqlite:///$S/db/nova_cell0.sqlite
  $NM cell_v2 list_cells | grep -q ' cell1 ' || $NM cell_v2 create_cell --name cell1
  $NM db sync
  for d in nova_api nova_cell0 nova; do wal $d; done
}
db_cinder() { pymain cinder-manage cinder.cmd.manage --config-file $S/etc/cinder/cinder.conf db sync; wal cinder; }
pending=""
for d in keystone placement glance neutron nova cinder; do
  if [ ! -f $S/db/.$d-done ]; then
    ( db_$d >$S/log/db-$d.out 2>&1 && touch $S/db/.$d-done ) &
    pending="$pending $d:$!"
  fi
done

# rabbitmq starts meanwhile (its own epmd on loopback; HOME holds its cookie)
export ERL_EPMD_ADDRESS=$H
start epmd 4369 /usr/bin/epmd -address $H
echo '[].' >$S/rabbitmq/enabled_plugins
: >$S/rabbitmq/rabbitmq-env.conf
start rabbitmq 5672 env HOME=$S/rabbitmq RABBITMQ_CONF_ENV_FILE=$S/rabbitmq/rabbitmq-env.conf \
  RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_NODE_IP_ADDRESS=$H RABBITMQ_NODE_PORT=5672 \
  RABBITMQ_DIST_PORT=25672 RABBITMQ_MNESIA_BASE=$S/rabbitmq/mnesia RABBITMQ_LOG_BASE=$S/log/rabbitmq \
  RABBITMQ_ENABLED_PLUGINS_FILE=$S/rabbitmq/enabled_plugins \
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
  /usr/lib/rabbitmq/bin/rabbitmq-server

if [ -n "$pending" ]; then
  log "database schemas:$pending"
  failed=""
  for job in $pending; do wait ${job#*:} || failed="$failed ${job%%:*}"; done
  [ -z "$failed" ] || { for d in $failed; do tail -20 $S/log/db-$d.out; done; die "schema step failed for:$failed (logs $S/log/db-*.out)"; }
  log "database schemas done"
fi

# ------------------------------------------------------------------------------------------ services
start keystone 5000 env OS_KEYSTONE_CONFIG_FILES=$S/etc/keystone/keystone.conf \
  $PY $LIB/wsgi_serve.py $H 5000 keystone.server.wsgi:initialize_public_application
start placement 8778 env OS_PLACEMENT_CONFIG_DIR=$S/etc/placement \
  $PY $LIB/wsgi_serve.py $H 8778 placement.wsgi:init_application
start glance-api 9292 $PY -c "import sys; sys.argv[0] = 'glance-api'; from glance.cmd.api import main; sys.exit(main())" \
  --config-file $S/etc/glance/glance-api.conf
wait_http keystone http://$H:5000/v3
if [ ! -f $S/db/.catalog-done ]; then
  osrig keystone && touch $S/db/.catalog-done
fi

for _ in $(seq 1 60); do [ -n "$(port_owner 5672)" ] && break; running rabbitmq || break; sleep 1; done
[ -n "$(port_owner 5672)" ] || { tail -20 $S/log/rabbitmq.out; die "rabbitmq did not start"; }

start neutron-server 9696 env PYTHONPATH=$LIB $PY -c "import sys; sys.argv[0] = 'neutron-server'; from neutron.cmd.eventlet.server import main; sys.exit(main())" \
  --config-file $S/etc/neutron/neutron.conf
CC="--config-file $S/etc/cinder/cinder.conf"
start cinder-scheduler - $PY -c "import sys; sys.argv[0] = 'cinder-scheduler'; from cinder.cmd.scheduler import main; sys.exit(main())" \
  $CC --log-file $S/log/cinder-scheduler.log
start cinder-volume - $PY -c "import sys; sys.argv[0] = 'cinder-volume'; from cinder.cmd.volume import main; sys.exit(main())" \
  $CC --log-file $S/log/cinder-volume.log
start cinder-api 8776 $PY -c "import sys; sys.argv[0] = 'cinder-api'; from cinder.cmd.api import main; sys.exit(main())" \
  $CC --log-file $S/log/cinder-api.log
NC="--config-file $S/etc/nova/nova.conf"
start nova-conductor - $PY -c "import sys; sys.argv[0] = 'nova-conductor'; from nova.cmd.conductor import main; sys.exit(main())" \
  $NC --log-file $S/log/nova-conductor.log
start nova-scheduler - $PY -c "import sys; sys.argv[0] = 'nova-scheduler'; from nova.cmd.scheduler import main; sys.exit(main())" \
  $NC --log-file $S/log/nova-scheduler.log
# nova.cmd.compute first (it monkey-patches), then our driver under the nova.virt namespace Nova loads from.
start nova-compute - env PYTHONPATH=$LIB AUTOSNAP_OSRIG_CONTROL=$S/control $PY -c "
import sys
sys.argv[0] = 'nova-compute'
import nova.cmd.compute, nova.virt, autosnap_fake
sys.modules['nova.virt.autosnap_fake'] = nova.virt.autosnap_fake = autosnap_fake
sys.exit(nova.cmd.compute.main())" $NC --log-file $S/log/nova-compute.log
start nova-api 8774 $PY -c "import sys; sys.argv[0] = 'nova-api'; from nova.cmd.api import main; sys.exit(main())" \
  $NC --log-file $S/log/nova-api.log

wait_http placement http://$H:8778/
wait_http glance-api http://$H:9292/versions
wait_http neutron-server http://$H:9696/
wait_http nova-api http://$H:8774/
wait_http cinder-api http://$H:8776/
log "APIs answer"

# An agentless neutron-server configures its SQLAlchemy relationships lazily: if the first query it
# serves is Nova's port lookup it fails ("type object 'Port' has no attribute 'port_forwardings'") and
# Nova answers 500. One network listing first avoids that.
curl -s -o /dev/null -H "X-Auth-Token: $(osrig admin-token)" http://$H:9696/v2.0/networks

osrig compute-up
if ! sqlite3 $S/db/nova_api.sqlite "select host from host_mappings" | grep -qx $COMPUTE_HOST; then
  $NM cell_v2 discover_hosts >$S/log/discover-hosts.out 2>&1
fi
osrig hypervisor-up
log "nova-compute registered"
osrig volume-up
log "cinder-volume and cinder-scheduler up"

osrig seed
osrig check
record_time start
log "done"
summary
