#!/bin/bash
# Records what a restore meets on the tier's real Nova (README "API record: restore"), in the form of capture-api.sh:
# booting servers from Autosnap-made snapshot images (image-backed, volume-backed, with a data-volume snapshot, with
# the Cinder snapshot gone), deleting them, rebuilding (image-backed; volume-backed below and at 2.93), flavors and
# min_disk/min_ram, networks, key pairs, tags and metadata, quotas, and the task_state phases of createImage (plain,
# held, failed). Snapshots of autosnap-it-3 and autosnap-vol-boot; everything else on scratch servers named capture-*;
# every server, image, volume, snapshot and network it makes is deleted again, demo's Nova quota is changed and reset.
# Needs a running tier and root (the hold/fail control files).
#   usage: capture-restore.sh > api-record-restore.txt
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
S=${AUTOSNAP_OSRIG_STATE:-/var/lib/autosnap-osrig}
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
RIG=$S/rig.json
[ -f $RIG ] || { echo "no $RIG: run up.sh first" >&2; exit 1; }
[ "$(jq -r '.network.id // empty' $RIG)" ] || { echo "rig.json has no network: run up.sh (it predates the isolated network)" >&2; exit 1; }
K=$(jq -r .authUrl $RIG); K=${K%/v3}
N=$(jq -r .computeUrl $RIG)
G=$(jq -r .imageUrl $RIG)
V=$(jq -r .volumeUrl $RIG)
NEU=http://127.0.0.1:9696
PW=$(jq -r .demo.password $RIG)
PROJECT_ID=$(jq -r .demo.projectId $RIG)
BASE=$(jq -r .baseImageId $RIG)
IT3=$(jq -r '.servers[2].id' $RIG)
BOOT=$(jq -r '.volumeServers[] | select(.kind == "volume-backed") | .id' $RIG)
DATAVOL=$(jq -r '.volumeServers[] | select(.kind == "image-backed-with-data-volume") | .volumes[0].id' $RIG)
NET=$(jq -r .network.id $RIG)
NETSRV=$(jq -r .network.server.id $RIG)
CONTROL=$(jq -r .controlDir $RIG)
TMP=$(mktemp -d); trap 'rm -rf $TMP; rm -f $CONTROL/hold $CONTROL/fail' EXIT
. $HERE/lib/capture-lib.sh

token() { # user project -> token on stdout
  curl -s -D $TMP/th -o $TMP/tok -X POST $K/v3/auth/tokens "${J[@]}" -d "$(pwauth $1 "$PW" $2)" >/dev/null
  tr -d '\r' <$TMP/th | awk -F': ' 'tolower($1)=="x-subject-token"{print $2}'
}
T=$(token demo demo); A=(-H "X-Auth-Token: $T")
AT=$(token admin admin); AA=(-H "X-Auth-Token: $AT")
mv_() { echo "OpenStack-API-Version: compute $1"; }
N237=(-H "$(mv_ 2.37)"); N245=(-H "$(mv_ 2.45)"); N226=(-H "$(mv_ 2.26)"); NMAX=(-H "$(mv_ 2.93)")
jget() { curl -s "$@"; }
ms_since() { echo "$(( ($(date +%s%N) - $1) / 1000000 )) ms"; }
SERVER_VIEW='.server | {status,"OS-EXT-STS:task_state",image,flavor:.flavor.original_name,addresses,key_name,security_groups,
  "OS-EXT-AZ:availability_zone",tags,metadata,"os-extended-volumes:volumes_attached",fault}'

# watch_server ID [SECONDS]: each change of status/task_state (and, with $WIMG, the image's status) with the time
# since $t0, until the server is settled (ACTIVE/ERROR/SHUTOFF with no task_state) or gone
watch_server() {
  local last="" now st img=${WIMG:-} i
  for i in $(seq 1 $(( ${2:-90} * 8 ))); do
    now=$(jget "${A[@]}" "${NMAX[@]}" $N/servers/$1 | jq -r '(.server.status // "(gone)") + " task_state=" + (.server["OS-EXT-STS:task_state"] // "null")' 2>/dev/null)
    [ -n "$img" ] && now="$now image=$(jget "${A[@]}" -H 'Accept: application/json' $G/v2/images/$img | jq -r '.status // "(gone)"' 2>/dev/null)"
    [ "$now" != "$last" ] && { echo "  t+$(ms_since $t0): $now"; last=$now; }
    case "$now" in
      "(gone)"*) return ;;
      ACTIVE" task_state=null"|ERROR" task_state=null"|SHUTOFF" task_state=null") [ -z "$img" ] && return ;;
      *" task_state=null image=active"|*" task_state=null image=(gone)") return ;;
    esac
    sleep 0.1
  done
  echo "  still: $last"
}
wait_volume() { # id status...
  local id=$1 st; shift
  for _ in $(seq 1 150); do
    st=$(jget "${A[@]}" $V/volumes/$id | jq -r '.volume.status // "(gone)"')
    for w in "$@"; do [ "$st" = "$w" ] && { echo "  volume $id $st"; return; }; done
    sleep 0.2
  done
  echo "  volume $id still $st"
}
wait_snapshot() { # id status...
  local id=$1 st; shift
  for _ in $(seq 1 150); do
    st=$(jget "${A[@]}" $V/snapshots/$id | jq -r '.snapshot.status // "(gone)"')
    for w in "$@"; do [ "$st" = "$w" ] && return; done
    sleep 0.2
  done
}
wait_idle() { for _ in $(seq 1 120); do [ "$(jget "${A[@]}" $N/servers/$1 | jq -r '.server."OS-EXT-STS:task_state"')" = null ] && return; sleep 0.5; done; }
mkimage() { # server name -> $IMG (2.45); the caller's t0 counts from before the wait for an idle server (+1 s)
  wait_idle $1; sleep 1
  rq . POST $N/servers/$1/action "${J[@]}" "${A[@]}" "${N245[@]}" \
     -d "{\"createImage\":{\"name\":\"$2\",\"metadata\":{\"autosnap_schedule\":\"capture\",\"autosnap_server\":\"$1\"}}}"
  IMG=$(jq -r '.image_id // empty' $TMP/b)
}
boot() { # name json-fragment (after name, flavorRef) [microversion args] -> $SRV (empty when refused)
  local name=$1 frag=$2; shift 2
  rq '.server | {id,"OS-DCF:diskConfig",security_groups,has_adminPass:(.adminPass != null)}' POST $N/servers "${J[@]}" "${A[@]}" "$@" \
     -d "{\"server\":{\"name\":\"$name\",\"flavorRef\":\"1\",$frag}}"
  SRV=$(jq -r '.server.id // empty' $TMP/b)
}
delete_server() { # id: DELETE, statuses until 404
  t0=$(date +%s%N)
  rq . DELETE $N/servers/$1 "${A[@]}"
  WIMG= watch_server $1 60
}
bdm_snapshots() { jget "${A[@]}" $G/v2/images/$1 | jq -r '.block_device_mapping // "[]" | fromjson | .[].snapshot_id'; }
volumes_from() { jget "${A[@]}" $V/volumes/detail | jq -c --arg s "$1" '[.volumes[] | select(.snapshot_id == $s) | {id,name,status,size,bootable,attachments:[.attachments[] | {server_id,device}]}]'; }

say "Nova: versions (max microversion) and flavors"
rq '.version | {version,min_version}' GET $N/ "${A[@]}"
rq '.flavors |= map({id,name,ram,disk,vcpus})' GET $N/flavors/detail "${A[@]}"

# ------------------------------------------------------------------ image-backed: snapshot, boot, delete
say "Nova: createImage of autosnap-it-3 (2.45), server task_state and image status until done"
t0=$(date +%s%N)
mkimage $IT3 capture-restore-img
IMG1=$IMG
WIMG=$IMG1 watch_server $IT3 60
rq '{status,size,min_disk,min_ram,disk_format,image_type,instance_uuid}' GET $G/v2/images/$IMG1 "${A[@]}"

say "Nova: boot a new server from that snapshot (2.37, networks none)"
t0=$(date +%s%N)
boot capture-restore-1 "\"imageRef\":\"$IMG1\",\"networks\":\"none\"" "${N237[@]}"
R1=$SRV
WIMG= watch_server $R1 90
rq "$SERVER_VIEW" GET $N/servers/$R1 "${A[@]}" "${NMAX[@]}"
say "Nova: the same at 2.1 (no security_groups key either; no tags)"
rq '.server | keys' GET $N/servers/$R1 "${A[@]}"
say "Nova: DELETE it; statuses; DELETE again"
delete_server $R1
rq . DELETE $N/servers/$R1 "${A[@]}"

# ------------------------------------------------------------------ volume-backed: snapshot, boot, delete
say "Nova: createImage of autosnap-vol-boot (volume-backed, 2.45): no task_state; the image's mapping"
mkimage $BOOT capture-restore-vimg
VIMG=$IMG
rq '{status,size,min_disk,min_ram,block_device_mapping:(.block_device_mapping | fromjson | map({device_name,boot_index,source_type,destination_type,snapshot_id,volume_size,delete_on_termination}))}' GET $G/v2/images/$VIMG "${A[@]}"
VSNAP=$(bdm_snapshots $VIMG | head -1)
wait_snapshot $VSNAP available

say "Nova: boot from the volume-backed image, imageRef alone (the image's mapping: delete_on_termination false)"
t0=$(date +%s%N)
boot capture-restore-v "\"imageRef\":\"$VIMG\",\"networks\":\"none\"" "${N237[@]}"
R2=$SRV
WIMG= watch_server $R2 120
rq "$SERVER_VIEW" GET $N/servers/$R2 "${A[@]}" "${NMAX[@]}"
echo "  Cinder volumes made from $VSNAP: $(volumes_from $VSNAP)"
say "Nova: DELETE it; the root volume stays (available)"
delete_server $R2
sleep 2
echo "  Cinder volumes made from $VSNAP: $(volumes_from $VSNAP)"
for L in $(volumes_from $VSNAP | jq -r '.[].id'); do rq . DELETE $V/volumes/$L "${A[@]}"; wait_volume $L "(gone)"; done

say "Nova: boot from the volume-backed image with the root entry overridden (same device_name, delete_on_termination true)"
t0=$(date +%s%N)
boot capture-restore-v2 "\"imageRef\":\"$VIMG\",\"networks\":\"none\",\"block_device_mapping_v2\":[{\"boot_index\":0,\"device_name\":\"/dev/sda\",\"uuid\":\"$VSNAP\",\"source_type\":\"snapshot\",\"destination_type\":\"volume\",\"delete_on_termination\":true}]" "${N237[@]}"
R3=$SRV
WIMG= watch_server $R3 120
rq '.server | {status,image,"os-extended-volumes:volumes_attached"}' GET $N/servers/$R3 "${A[@]}" "${NMAX[@]}"
echo "  Cinder volumes made from $VSNAP: $(volumes_from $VSNAP)"

say "Nova: boot from the Cinder snapshot itself (no imageRef; delete_on_termination true): the rebuild subject below"
t0=$(date +%s%N)
boot capture-rebuild-v "\"networks\":\"none\",\"block_device_mapping_v2\":[{\"boot_index\":0,\"uuid\":\"$VSNAP\",\"source_type\":\"snapshot\",\"destination_type\":\"volume\",\"delete_on_termination\":true}]" "${N237[@]}"
RV=$SRV
WIMG= watch_server $RV 120
rq '.server | {status,image,"os-extended-volumes:volumes_attached"}' GET $N/servers/$RV "${A[@]}" "${NMAX[@]}"
say "Nova: DELETE the overridden one; its root volume goes with it"
delete_server $R3
sleep 3
echo "  Cinder volumes made from $VSNAP: $(volumes_from $VSNAP)"

# ------------------------------------------------------------------ rebuild
say "Nova: rebuild of the volume-backed server below 2.93 (2.1, 2.92)"
rq . POST $N/servers/$RV/action "${J[@]}" "${A[@]}" -d "{\"rebuild\":{\"imageRef\":\"$VIMG\"}}"
rq . POST $N/servers/$RV/action "${J[@]}" "${A[@]}" -H "$(mv_ 2.92)" -d "{\"rebuild\":{\"imageRef\":\"$IMG1\"}}"
say "Nova: rebuild of the volume-backed server at 2.93 with the volume-backed image: accepted, then reverted by Nova"
t0=$(date +%s%N)
rq '.server | {status,"OS-EXT-STS:task_state",image}' POST $N/servers/$RV/action "${J[@]}" "${A[@]}" "${NMAX[@]}" -d "{\"rebuild\":{\"imageRef\":\"$VIMG\"}}"
REQ=$(hdr X-Openstack-Request-Id)
WIMG= watch_server $RV 90
sleep 3
rq '.server | {status,"OS-EXT-STS:task_state",image,fault,"os-extended-volumes:volumes_attached"}' GET $N/servers/$RV "${A[@]}" "${NMAX[@]}"
RVVOL=$(jget "${A[@]}" $N/servers/$RV | jq -r '.server["os-extended-volumes:volumes_attached"][0].id')
rq '.volume | {id,status,snapshot_id}' GET $V/volumes/$RVVOL "${A[@]}"
rq '.instanceAction | {action,message,events:[.events[] | {event,result,finish_time}]}' GET $N/servers/$RV/os-instance-actions/$REQ "${A[@]}" "${NMAX[@]}"
echo "  cinder-volume.log: $(grep -h "$REQ" $S/log/cinder-volume.log | grep -o 'ImageUnacceptable: .*' | head -1)"
say "Nova: DELETE it (root volume in error, delete_on_termination true)"
delete_server $RV
sleep 3
echo "  Cinder volumes made from $VSNAP: $(volumes_from $VSNAP)"

say "Nova: rebuild of an image-backed server (booted from tiny-raw) with the snapshot image, 2.1"
t0=$(date +%s%N)
boot capture-rebuild-i "\"imageRef\":\"$BASE\",\"networks\":\"none\"" "${N237[@]}"
RI=$SRV
WIMG= watch_server $RI 90
t0=$(date +%s%N)
rq '.server | {status,image,adminPass:(.adminPass != null)}' POST $N/servers/$RI/action "${J[@]}" "${A[@]}" -d "{\"rebuild\":{\"imageRef\":\"$IMG1\"}}"
say "Nova: a second rebuild while it rebuilds"
rq . POST $N/servers/$RI/action "${J[@]}" "${A[@]}" -d "{\"rebuild\":{\"imageRef\":\"$IMG1\"}}"
WIMG= watch_server $RI 90
rq '.server | {status,image,fault}' GET $N/servers/$RI "${A[@]}"
say "Nova: rebuild to an unknown image"
rq . POST $N/servers/$RI/action "${J[@]}" "${A[@]}" -d '{"rebuild":{"imageRef":"00000000-0000-0000-0000-000000000000"}}'

# ------------------------------------------------------------------ flavors vs the image's min_disk/min_ram
say "Nova: boot refused by the image's min_ram / min_disk (PATCHed on the snapshot), unknown flavor"
patch_img() { curl -s -o /dev/null -X PATCH "${A[@]}" -H 'Content-Type: application/openstack-images-v2.1-json-patch' $G/v2/images/$IMG1 -d "$1"; }
patch_img '[{"op":"replace","path":"/min_ram","value":100}]'
boot capture-min "\"imageRef\":\"$IMG1\",\"networks\":\"none\"" "${N237[@]}"
patch_img '[{"op":"replace","path":"/min_ram","value":0},{"op":"replace","path":"/min_disk","value":2}]'
boot capture-min "\"imageRef\":\"$IMG1\",\"networks\":\"none\"" "${N237[@]}"
say "Nova: the same image with m1.small (2 GB) passes the check; the rebuild to it of a m1.tiny server does not"
rq '.server | {id}' POST $N/servers "${J[@]}" "${A[@]}" "${N237[@]}" -d "{\"server\":{\"name\":\"capture-min-ok\",\"imageRef\":\"$IMG1\",\"flavorRef\":\"2\",\"networks\":\"none\"}}"
RMIN=$(jq -r '.server.id // empty' $TMP/b)
rq . POST $N/servers/$RI/action "${J[@]}" "${A[@]}" -d "{\"rebuild\":{\"imageRef\":\"$IMG1\"}}"
patch_img '[{"op":"replace","path":"/min_disk","value":1}]'
rq . POST $N/servers "${J[@]}" "${A[@]}" "${N237[@]}" -d "{\"server\":{\"name\":\"capture-x\",\"imageRef\":\"$IMG1\",\"flavorRef\":\"nosuch\",\"networks\":\"none\"}}"
[ -n "$RMIN" ] && { t0=$(date +%s%N); WIMG= watch_server $RMIN 90; delete_server $RMIN; }
delete_server $RI

# ------------------------------------------------------------------ data volume snapshot as a new volume
say "Cinder + Nova: the data volume's snapshot as a new, attached volume next to the image"
rq '.snapshot | {id,status}' POST $V/snapshots "${J[@]}" "${A[@]}" -d "{\"snapshot\":{\"volume_id\":\"$DATAVOL\",\"force\":true,\"name\":\"capture-restore-data\"}}"
DSNAP=$(jq -r .snapshot.id $TMP/b); wait_snapshot $DSNAP available
say "Nova: imageRef + the snapshot entry alone (boot_index -1): refused"
boot capture-data "\"imageRef\":\"$IMG1\",\"networks\":\"none\",\"block_device_mapping_v2\":[{\"boot_index\":-1,\"uuid\":\"$DSNAP\",\"source_type\":\"snapshot\",\"destination_type\":\"volume\",\"delete_on_termination\":true}]" "${N237[@]}"
say "Nova: with the image as its own entry (boot_index 0, destination local)"
t0=$(date +%s%N)
boot capture-data "\"imageRef\":\"$IMG1\",\"networks\":\"none\",\"block_device_mapping_v2\":[{\"boot_index\":0,\"uuid\":\"$IMG1\",\"source_type\":\"image\",\"destination_type\":\"local\",\"delete_on_termination\":true},{\"boot_index\":-1,\"uuid\":\"$DSNAP\",\"source_type\":\"snapshot\",\"destination_type\":\"volume\",\"delete_on_termination\":true}]" "${N237[@]}"
RD=$SRV
WIMG= watch_server $RD 120
rq '.server | {status,image,"os-extended-volumes:volumes_attached"}' GET $N/servers/$RD "${A[@]}" "${NMAX[@]}"
echo "  Cinder volumes made from $DSNAP: $(volumes_from $DSNAP)"
delete_server $RD
sleep 3
echo "  Cinder volumes made from $DSNAP: $(volumes_from $DSNAP)"
rq . DELETE $V/snapshots/$DSNAP "${A[@]}"; wait_snapshot $DSNAP "(gone)"

# ------------------------------------------------------------------ the Cinder snapshot gone
say "Nova: boot from the volume-backed image after its Cinder snapshot was deleted"
rq . DELETE $V/snapshots/$VSNAP "${A[@]}"; wait_snapshot $VSNAP "(gone)"
boot capture-gone "\"imageRef\":\"$VIMG\",\"networks\":\"none\"" "${N237[@]}"
rq . DELETE $G/v2/images/$VIMG "${A[@]}"

# ------------------------------------------------------------------ networks
say "Neutron: demo's networks (autosnap-isolated from up.sh) and a network demo makes itself"
rq '.networks |= map({id,name,status,shared,subnets,"provider:network_type"})' GET $NEU/v2.0/networks "${A[@]}"
rq '.network | {id,name,status,shared,"provider:network_type"}' POST $NEU/v2.0/networks "${J[@]}" "${A[@]}" -d '{"network":{"name":"capture-net"}}'
NET2=$(jq -r .network.id $TMP/b)
rq . DELETE $NEU/v2.0/networks/$NET2 "${A[@]}"
say "Nova: the network fixture autosnap-net-srv (key pair, security group, address)"
rq "$SERVER_VIEW" GET $N/servers/$NETSRV "${A[@]}" "${NMAX[@]}"
rq '.interfaceAttachments' GET $N/servers/$NETSRV/os-interface "${A[@]}"
rq '.ports |= map({id,network_id,status,fixed_ips,security_groups,"binding:vif_type"})' GET "$NEU/v2.0/ports?device_id=$NETSRV" "${A[@]}"
say "Nova: boot from the snapshot on the isolated network, with key pair, security group, AZ, tags (2.52+), metadata"
t0=$(date +%s%N)
boot capture-net "\"imageRef\":\"$IMG1\",\"networks\":[{\"uuid\":\"$NET\"}],\"key_name\":\"autosnap-it-key\",\"security_groups\":[{\"name\":\"default\"}],\"availability_zone\":\"nova\",\"tags\":[\"capture-throwaway\"],\"metadata\":{\"capture\":\"1\"}" "${NMAX[@]}"
RN=$SRV
WIMG= watch_server $RN 90
rq "$SERVER_VIEW" GET $N/servers/$RN "${A[@]}" "${NMAX[@]}"
say "Nova: networks auto / omitted at 2.37 / unknown network / unknown key, AZ, security group / tags below 2.52"
boot capture-x "\"imageRef\":\"$IMG1\"" "${N237[@]}"
boot capture-x "\"imageRef\":\"$IMG1\",\"networks\":[{\"uuid\":\"00000000-0000-0000-0000-000000000000\"}]" "${N237[@]}"
boot capture-x "\"imageRef\":\"$IMG1\",\"networks\":\"none\",\"key_name\":\"nosuch\"" "${N237[@]}"
boot capture-x "\"imageRef\":\"$IMG1\",\"networks\":\"none\",\"availability_zone\":\"nosuch\"" "${N237[@]}"
boot capture-x "\"imageRef\":\"$IMG1\",\"networks\":\"none\",\"security_groups\":[{\"name\":\"nosuch\"}]" "${N237[@]}"
boot capture-x "\"imageRef\":\"$IMG1\",\"networks\":\"none\",\"tags\":[\"a\"]" -H "$(mv_ 2.51)"
say "Nova: key pairs (2.92 needs public_key)"
rq . POST $N/os-keypairs "${J[@]}" "${A[@]}" "${NMAX[@]}" -d '{"keypair":{"name":"capture-key"}}'
rq '.keypairs |= map(.keypair | {name,type,fingerprint})' GET $N/os-keypairs "${A[@]}" "${NMAX[@]}"

# ------------------------------------------------------------------ tags and metadata
say "Nova: the tags filter: honoured from 2.26, IGNORED at 2.1 (every server comes back)"
rq '[.servers[].name]' GET "$N/servers?tags=capture-throwaway" "${A[@]}" "${N226[@]}"
rq '[.servers[].name]' GET "$N/servers?tags-any=capture-throwaway,nosuch" "${A[@]}" "${N226[@]}"
rq '[.servers[].name]' GET "$N/servers?tags=capture-throwaway" "${A[@]}"
say "Nova: tags: add, invalid, too long, list, below 2.26"
rq . PUT $N/servers/$RN/tags/added "${A[@]}" "${N226[@]}"
rq . PUT $N/servers/$RN/tags/a,b "${A[@]}" "${N226[@]}"
rq . PUT $N/servers/$RN/tags/$(printf 'x%.0s' $(seq 61)) "${A[@]}" "${N226[@]}"
rq . GET $N/servers/$RN/tags "${A[@]}" "${N226[@]}"
rq . GET $N/servers/$RN/tags "${A[@]}" -H "$(mv_ 2.25)"
say "Nova: server metadata"
rq . PUT $N/servers/$RN/metadata/k "${J[@]}" "${A[@]}" -d '{"meta":{"k":"v"}}'
rq . PUT $N/servers/$RN/metadata/k "${J[@]}" "${A[@]}" -d "{\"meta\":{\"k\":\"$(printf 'v%.0s' $(seq 256))\"}}"
rq . GET $N/servers/$RN/metadata "${A[@]}"
delete_server $RN

# ------------------------------------------------------------------ quotas
say "Nova: limits and demo's quota set"
rq . GET $N/limits "${A[@]}" "${NMAX[@]}"
rq . GET $N/os-quota-sets/$PROJECT_ID/detail "${A[@]}" "${NMAX[@]}"
USED=$(jget "${A[@]}" $N/limits | jq '.limits.absolute.totalInstancesUsed')
CORES=$(jget "${A[@]}" $N/limits | jq '.limits.absolute.totalCoresUsed')
RAM=$(jget "${A[@]}" $N/limits | jq '.limits.absolute.totalRAMUsed')
setq() { rq '.quota_set | {instances,cores,ram}' PUT $N/os-quota-sets/$PROJECT_ID "${J[@]}" "${AA[@]}" -d "{\"quota_set\":$1}"; }
say "Nova: quota = usage for instances, then cores, then ram, then all three (admin sets, demo boots)"
setq "{\"instances\":$USED}"; boot capture-q "\"imageRef\":\"$IMG1\",\"networks\":\"none\"" "${N237[@]}"
setq "{\"instances\":10,\"cores\":$CORES}"; boot capture-q "\"imageRef\":\"$IMG1\",\"networks\":\"none\"" "${N237[@]}"
setq "{\"cores\":20,\"ram\":$RAM}"; boot capture-q "\"imageRef\":\"$IMG1\",\"networks\":\"none\"" "${N237[@]}"
setq "{\"instances\":$USED,\"cores\":$CORES,\"ram\":$RAM}"; boot capture-q "\"imageRef\":\"$IMG1\",\"networks\":\"none\"" "${N237[@]}"
rq '.limits.absolute | {maxTotalInstances,totalInstancesUsed,maxTotalCores,totalCoresUsed,maxTotalRAMSize,totalRAMUsed}' GET $N/limits "${A[@]}"
say "Nova: reset demo's quota to the defaults"
rq . DELETE $N/os-quota-sets/$PROJECT_ID "${AA[@]}"
rq '.limits.absolute | {maxTotalInstances,maxTotalCores,maxTotalRAMSize}' GET $N/limits "${A[@]}"

# ------------------------------------------------------------------ snapshot phases
say "Nova: createImage task_state phases of autosnap-it-3 (polled ~every 100-200 ms: phases shorter than that can be missed)"
t0=$(date +%s%N); mkimage $IT3 capture-phases; WIMG=$IMG watch_server $IT3 60; PH1=$IMG
say "Nova: the same with control/hold for ~6 s"
touch $CONTROL/hold; ( sleep 6; rm -f $CONTROL/hold ) &
t0=$(date +%s%N); mkimage $IT3 capture-phases-held; WIMG=$IMG watch_server $IT3 60; PH2=$IMG
wait
say "Nova: the same with control/fail"
touch $CONTROL/fail
t0=$(date +%s%N); mkimage $IT3 capture-phases-failed; WIMG=$IMG watch_server $IT3 60
rm -f $CONTROL/fail
rq '.server | {status,"OS-EXT-STS:task_state",fault}' GET $N/servers/$IT3 "${A[@]}"
say "Nova: a volume-backed server's createImage has no task_state (looked at right after the answer)"
t0=$(date +%s%N); mkimage $BOOT capture-phases-vb; echo "  answered after $(ms_since $t0)"
rq '.server | {"OS-EXT-STS:task_state"}' GET $N/servers/$BOOT "${A[@]}"
PH3=$IMG
for L in $(bdm_snapshots $PH3); do wait_snapshot $L available; rq . DELETE $V/snapshots/$L "${A[@]}"; wait_snapshot $L "(gone)"; done

say "cleanup: the images"
for L in $IMG1 $PH1 $PH2 $PH3; do rq . DELETE $G/v2/images/$L "${A[@]}"; done
rq '[.servers[].name | select(startswith("capture"))]' GET $N/servers "${A[@]}"
rq '[.volumes[] | select(.name != "autosnap-vol-boot-root" and .name != "autosnap-vol-data-disk") | {id,name,status}]' GET $V/volumes/detail "${A[@]}"
