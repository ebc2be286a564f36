#!/bin/bash
# Records how the tier's real Cinder v3 answers, and what Nova's createImage does with a volume-backed server
# (README "API record: Cinder"), in the form of capture-api.sh. Works on the volume servers of rig.json; every
# snapshot, image and scratch volume it makes is deleted again; the demo project's Cinder quota is changed and
# reset to the defaults; cinder-api is stopped once and started again by up.sh. Needs a running tier and root.
#   usage: capture-cinder.sh > api-record-cinder.txt
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
S=${AUTOSNAP_OSRIG_STATE:-/var/lib/autosnap-osrig}
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
RIG=$S/rig.json
[ -f $RIG ] || { echo "no $RIG: run up.sh first" >&2; exit 1; }
K=$(jq -r .authUrl $RIG); K=${K%/v3}
N=$(jq -r .computeUrl $RIG)
G=$(jq -r .imageUrl $RIG)
V=$(jq -r .volumeUrl $RIG)
VROOT=${V%/v3/*}
PW=$(jq -r .demo.password $RIG)
PROJECT_ID=$(jq -r .demo.projectId $RIG)
BOOT=$(jq -r '.volumeServers[] | select(.kind == "volume-backed") | .id' $RIG)
ROOTVOL=$(jq -r '.volumeServers[] | select(.kind == "volume-backed") | .volumes[0].id' $RIG)
DATASRV=$(jq -r '.volumeServers[] | select(.kind == "image-backed-with-data-volume") | .id' $RIG)
DATAVOL=$(jq -r '.volumeServers[] | select(.kind == "image-backed-with-data-volume") | .volumes[0].id' $RIG)
TMP=$(mktemp -d); trap 'rm -rf $TMP' EXIT
. $HERE/lib/capture-lib.sh
HDRS='^(content-type|content-length|location|x-subject-token|x-openstack-request-id|x-compute-request-id|openstack-api-version|x-openstack-nova-api-version|www-authenticate|date|retry-after|server|vary)$'

token() { # user project -> token on stdout, body in $TMP/tok
  curl -s -D $TMP/th -o $TMP/tok -X POST $K/v3/auth/tokens "${J[@]}" -d "$(pwauth $1 "$PW" $2)" >/dev/null
  tr -d '\r' <$TMP/th | awk -F': ' 'tolower($1)=="x-subject-token"{print $2}'
}
T=$(token demo demo); A=(-H "X-Auth-Token: $T")
AT=$(token admin admin); AA=(-H "X-Auth-Token: $AT")
ADMIN_PROJECT=$(jq -r .token.project.id $TMP/tok)
C30=(-H 'OpenStack-API-Version: volume 3.0')
CMAX=(-H 'OpenStack-API-Version: volume 3.70')
N245=(-H 'OpenStack-API-Version: compute 2.45')
now() { date +%s.%N | cut -c1-14; }
ms_since() { echo "$(( ($(date +%s%N) - $1) / 1000000 )) ms"; }
jget() { curl -s "$@"; }
snap_status() { jget "${A[@]}" $V/snapshots/$1 | jq -r '.snapshot.status // "(gone)"'; }
# watch_snapshot ID: prints each status change with the time since $t0 until available/error/gone (max 30 s)
watch_snapshot() {
  local last="" st i
  for i in $(seq 1 300); do
    st=$(snap_status $1)
    [ "$st" != "$last" ] && { echo "  t+$(ms_since $t0): snapshot $1 $st"; last=$st; }
    case $st in available|error|"(gone)") return ;; esac
    sleep 0.1
  done
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
set_quota() { # json body for the demo project's quota set (admin)
  rq . PUT $VROOT/v3/$ADMIN_PROJECT/os-quota-sets/$PROJECT_ID "${J[@]}" "${AA[@]}" -d "{\"quota_set\":$1}"
}
reset_quota() { rq . DELETE $VROOT/v3/$ADMIN_PROJECT/os-quota-sets/$PROJECT_ID "${AA[@]}"; }
reset_quota >/dev/null
mkimage() { # name microversion-args... -> image id in $IMG (2.45: body; 2.1: Location)
  local name=$1; shift
  rq . POST $N/servers/$SRV_FOR_IMAGE/action "${J[@]}" "${A[@]}" "$@" \
     -d "{\"createImage\":{\"name\":\"$name\",\"metadata\":{\"autosnap_schedule\":\"capture\",\"autosnap_server\":\"$SRV_FOR_IMAGE\"}}}"
  IMG=$(jq -r '.image_id // empty' $TMP/b 2>/dev/null); [ -n "$IMG" ] || IMG=$(hdr Location | sed 's#.*/##')
}
bdm_snapshots() { [ -n "${1:-}" ] || return 0; jget "${A[@]}" $G/v2/images/$1 | jq -r '.block_device_mapping // "[]" | fromjson | .[].snapshot_id'; }

say "Keystone: the block-storage entries of demo's catalog"
rq '.token.catalog[] | select(.type | test("volume|block")) | {type,name,endpoints:[.endpoints[] | {interface,region,url}]}' \
   POST $K/v3/auth/tokens "${J[@]}" -d "$(pwauth demo "$PW" demo)"

say "Cinder: version documents"
rq '.versions[] |= {id,status,version,min_version,updated}' GET $VROOT/
rq '.versions[] |= {id,status,version,min_version,links:[.links[].href]}' GET $VROOT/v3/

say "Cinder: no token / bad token"
rq . GET $V/volumes
rq . GET $V/volumes -H 'X-Auth-Token: not-a-token'

say "Cinder: volumes (no microversion = 3.0)"
rq . GET $V/volumes "${A[@]}"
rq '.volume' GET $V/volumes/$ROOTVOL "${A[@]}"
say "Cinder: the same volume at 3.70: keys only"
rq '.volume | keys' GET $V/volumes/$ROOTVOL "${A[@]}" "${CMAX[@]}"
say "Cinder: the data volume (attached to an image-backed server)"
rq '.volume | {id,name,status,size,bootable,attachments,volume_type,multiattach}' GET $V/volumes/$DATAVOL "${A[@]}"
say "Cinder: unknown volume / not a uuid"
rq . GET $V/volumes/00000000-0000-0000-0000-000000000000 "${A[@]}"
rq . GET $V/volumes/nope "${A[@]}"

say "Cinder: absolute limits (the numbers Nova checks before a volume-backed snapshot)"
rq . GET $V/limits "${A[@]}"
say "Cinder: the project's quota set with usage (demo may read its own)"
rq . GET "$V/os-quota-sets/$PROJECT_ID?usage=true" "${A[@]}"
rq . GET "$V/os-quota-sets/$PROJECT_ID/defaults" "${A[@]}"

say "Cinder: snapshot of an in-use volume without force (3.0, then 3.66)"
rq . POST $V/snapshots "${J[@]}" "${A[@]}" "${C30[@]}" -d "{\"snapshot\":{\"volume_id\":\"$DATAVOL\",\"name\":\"capture-noforce\"}}"
rq . POST $V/snapshots "${J[@]}" "${A[@]}" -H 'OpenStack-API-Version: volume 3.66' -d "{\"snapshot\":{\"volume_id\":\"$DATAVOL\",\"name\":\"capture-noforce-366\"}}"
NOFORCE=$(jq -r '.snapshot.id // empty' $TMP/b)
say "Cinder: 3.66 with force false"
rq . POST $V/snapshots "${J[@]}" "${A[@]}" -H 'OpenStack-API-Version: volume 3.66' -d "{\"snapshot\":{\"volume_id\":\"$DATAVOL\",\"name\":\"capture-forcefalse\",\"force\":false}}"
say "Cinder: with force (3.0), name, description and metadata; statuses over time"
t0=$(date +%s%N)
rq . POST $V/snapshots "${J[@]}" "${A[@]}" -d "{\"snapshot\":{\"volume_id\":\"$DATAVOL\",\"force\":true,\"name\":\"capture-snap-1\",\"description\":\"capture-cinder.sh\",\"metadata\":{\"autosnap_schedule\":\"capture\",\"autosnap_image\":\"none\"}}}"
SNAP1=$(jq -r .snapshot.id $TMP/b)
watch_snapshot $SNAP1
say "Cinder: force with a value that is not a boolean"
rq . POST $V/snapshots "${J[@]}" "${A[@]}" -d "{\"snapshot\":{\"volume_id\":\"$DATAVOL\",\"force\":\"yes-please\",\"name\":\"capture-badforce\"}}"
say "Cinder: a second forced snapshot, at 3.70 (keys of the answer)"
t0=$(date +%s%N)
rq '.snapshot | keys' POST $V/snapshots "${J[@]}" "${A[@]}" "${CMAX[@]}" -d "{\"snapshot\":{\"volume_id\":\"$DATAVOL\",\"force\":true,\"name\":\"capture-snap-2\"}}"
SNAP2=$(jq -r .snapshot.id $TMP/b)
watch_snapshot $SNAP2
say "Cinder: snapshot of an unknown volume / without volume_id"
rq . POST $V/snapshots "${J[@]}" "${A[@]}" -d '{"snapshot":{"volume_id":"00000000-0000-0000-0000-000000000000","force":true}}'
rq . POST $V/snapshots "${J[@]}" "${A[@]}" -d '{"snapshot":{"force":true}}'

say "Cinder: one snapshot (3.0, then 3.70)"
rq . GET $V/snapshots/$SNAP1 "${A[@]}"
rq . GET $V/snapshots/$SNAP1 "${A[@]}" "${CMAX[@]}"
rq . GET $V/snapshots/00000000-0000-0000-0000-000000000000 "${A[@]}"

say "Cinder: snapshot lists"
rq . GET $V/snapshots "${A[@]}"
rq '.snapshots |= map({id,name,status,volume_id,size,created_at,metadata})' GET $V/snapshots/detail "${A[@]}"
rq '.snapshots |= map({name})' GET "$V/snapshots/detail?volume_id=$DATAVOL" "${A[@]}"
rq '.snapshots |= map({name})' GET "$V/snapshots/detail?volume_id=$ROOTVOL" "${A[@]}"
rq '.snapshots |= map({name})' GET "$V/snapshots/detail?name=capture-snap-1" "${A[@]}"
rq '.snapshots |= map({name})' GET "$V/snapshots/detail?name=capture-snap" "${A[@]}"
rq '.snapshots |= map({name})' GET "$V/snapshots/detail?name~=capture-snap" "${A[@]}" "${CMAX[@]}"
rq '.snapshots |= map({name,status})' GET "$V/snapshots/detail?status=available" "${A[@]}"
rq '.snapshots |= map({name,status})' GET "$V/snapshots/detail?status=AVAILABLE" "${A[@]}"
rq '.snapshots |= map({name})' GET "$V/snapshots/detail?metadata=%7B%22autosnap_schedule%22%3A%22capture%22%7D" "${A[@]}"
rq '.snapshots |= map({name})' GET "$V/snapshots/detail?metadata=%7B%22autosnap_schedule%22%3A%22capture%22%7D" "${A[@]}" "${CMAX[@]}"
rq '.snapshots |= map({name})' GET "$V/snapshots/detail?bogus_filter=1" "${A[@]}"
rq '.snapshots |= map({name})' GET "$V/snapshots/detail?bogus_filter=1" "${A[@]}" "${CMAX[@]}"
say "Cinder: paging"
rq '.snapshots |= map({id,name})' GET "$V/snapshots/detail?limit=1" "${A[@]}"
NEXT=$(jq -r '.snapshots_links[0].href // empty' $TMP/b)
[ -n "$NEXT" ] && rq '.snapshots |= map({id,name})' GET "$NEXT" "${A[@]}"
rq '.snapshots |= map({id,name,created_at})' GET "$V/snapshots/detail?sort=created_at:asc&limit=1" "${A[@]}"
rq '.snapshots |= map({id,name})' GET "$V/snapshots/detail?sort_key=created_at&sort_dir=desc&limit=2" "${A[@]}"
rq . GET "$V/snapshots/detail?limit=1&marker=00000000-0000-0000-0000-000000000000" "${A[@]}"
rq . GET "$V/snapshots/detail?limit=-1" "${A[@]}"
rq '{count, n: (.snapshots|length)}' GET "$V/snapshots/detail?with_count=true" "${A[@]}" "${CMAX[@]}"
rq '{count, n: (.snapshots|length)}' GET "$V/snapshots/detail?with_count=true" "${A[@]}"
rq '.snapshots |= map({name})' GET "$V/snapshots/detail?all_tenants=1" "${A[@]}"

say "Cinder: snapshot metadata"
rq . GET $V/snapshots/$SNAP1/metadata "${A[@]}"
rq . POST $V/snapshots/$SNAP1/metadata "${J[@]}" "${A[@]}" -d '{"metadata":{"added":"1","autosnap_image":"changed"}}'
rq . PUT $V/snapshots/$SNAP1/metadata "${J[@]}" "${A[@]}" -d '{"metadata":{"only":"this"}}'
rq . PUT $V/snapshots/$SNAP1/metadata/only "${J[@]}" "${A[@]}" -d '{"meta":{"only":"that"}}'
rq . GET $V/snapshots/$SNAP1/metadata/only "${A[@]}"
rq . DELETE $V/snapshots/$SNAP1/metadata/only "${A[@]}"
rq . DELETE $V/snapshots/$SNAP1/metadata/only "${A[@]}"
rq . GET $V/snapshots/$SNAP1/metadata/nosuch "${A[@]}"
rq . POST $V/snapshots/$SNAP1/metadata "${J[@]}" "${A[@]}" -d '{"metadata":{"n":1}}'
rq . POST $V/snapshots/$SNAP1/metadata "${J[@]}" "${A[@]}" -d "{\"metadata\":{\"$(printf 'k%.0s' $(seq 1 256))\":\"v\"}}"
rq . POST $V/snapshots/$SNAP1/metadata "${J[@]}" "${A[@]}" -d "{\"metadata\":{\"k\":\"$(printf 'v%.0s' $(seq 1 256))\"}}"
say "Cinder: snapshot update (name, description)"
rq '.snapshot | {name,description,updated_at}' PUT $V/snapshots/$SNAP1 "${J[@]}" "${A[@]}" -d '{"snapshot":{"name":"capture-snap-1-renamed","description":"changed"}}'

say "Cinder: a volume made from a snapshot, then delete that snapshot"
rq '.volume | {id,name,status,snapshot_id,size}' POST $V/volumes "${J[@]}" "${A[@]}" -d "{\"volume\":{\"size\":1,\"snapshot_id\":\"$SNAP1\",\"name\":\"capture-from-snap\"}}"
FROMSNAP=$(jq -r .volume.id $TMP/b)
wait_volume $FROMSNAP available error
rq . DELETE $V/snapshots/$SNAP1 "${A[@]}"
t0=$(date +%s%N); watch_snapshot $SNAP1
rq . DELETE $V/volumes/$FROMSNAP "${A[@]}"
wait_volume $FROMSNAP "(gone)" error_deleting

say "Cinder: delete a snapshot; its statuses; delete again; get it"
t0=$(date +%s%N)
rq . DELETE $V/snapshots/$SNAP2 "${A[@]}"
rq '.snapshot | {status}' GET $V/snapshots/$SNAP2 "${A[@]}"
watch_snapshot $SNAP2
rq . DELETE $V/snapshots/$SNAP2 "${A[@]}"
rq . GET $V/snapshots/$SNAP2 "${A[@]}"
[ -n "$NOFORCE" ] && { rq . DELETE $V/snapshots/$NOFORCE "${A[@]}"; t0=$(date +%s%N); watch_snapshot $NOFORCE; }
say "Cinder: delete the volume of a snapshot (data volume is in-use: use a scratch volume)"
rq '.volume | {id,status}' POST $V/volumes "${J[@]}" "${A[@]}" -d '{"volume":{"size":1,"name":"capture-scratch"}}'
SCRATCH=$(jq -r .volume.id $TMP/b); wait_volume $SCRATCH available
rq '.snapshot | {id,status}' POST $V/snapshots "${J[@]}" "${A[@]}" -d "{\"snapshot\":{\"volume_id\":\"$SCRATCH\",\"name\":\"capture-scratch-snap\"}}"
SSNAP=$(jq -r .snapshot.id $TMP/b); t0=$(date +%s%N); watch_snapshot $SSNAP
rq . DELETE $V/volumes/$SCRATCH "${A[@]}"
rq . DELETE "$V/volumes/$SCRATCH?cascade=true" "${A[@]}"
wait_volume $SCRATCH "(gone)" error_deleting
rq . GET $V/snapshots/$SSNAP "${A[@]}"

say "Cinder: snapshot quota reached (admin sets demo's snapshots quota to its usage)"
USED=$(jget "${A[@]}" $V/limits | jq .limits.absolute.totalSnapshotsUsed)
set_quota "{\"snapshots\":$USED}"
rq '.limits.absolute' GET $V/limits "${A[@]}"
rq . POST $V/snapshots "${J[@]}" "${A[@]}" -d "{\"snapshot\":{\"volume_id\":\"$DATAVOL\",\"force\":true,\"name\":\"capture-over-quota\"}}"
say "Nova: createImage of the volume-backed server over the snapshot quota (2.1, 2.45)"
SRV_FOR_IMAGE=$BOOT
mkimage capture-vb-over
mkimage capture-vb-over "${N245[@]}"
rq '.images |= map({id,name,status})' GET "$G/v2/images?name=capture-vb-over" "${A[@]}"
rq '.snapshots |= map({name})' GET "$V/snapshots/detail?name=snapshot%20for%20capture-vb-over" "${A[@]}"
say "Cinder: quota set below usage (explicit rows now exist), then reset to the defaults"
set_quota "{\"snapshots\":0}"
reset_quota
rq '.limits.absolute | {maxTotalSnapshots,totalSnapshotsUsed}' GET $V/limits "${A[@]}"

say "Nova: createImage of the volume-backed server (2.1): image and Cinder snapshot over time"
rq '.server | {status,"OS-EXT-STS:task_state",image,"os-extended-volumes:volumes_attached"}' GET $N/servers/$BOOT "${A[@]}"
t0=$(date +%s%N)
mkimage capture-vb-1
IMG1=$IMG
echo "  t+$(ms_since $t0): answer"
rq '{status,size}' GET $G/v2/images/$IMG1 "${A[@]}"
echo "  t+$(ms_since $t0): server task_state $(jget "${A[@]}" $N/servers/$BOOT | jq -r '.server."OS-EXT-STS:task_state"')"
for S1 in $(bdm_snapshots $IMG1); do watch_snapshot $S1; done
say "Glance: the image of a volume-backed server"
rq . GET $G/v2/images/$IMG1 "${A[@]}"
say "Cinder: its snapshot"
for S1 in $(bdm_snapshots $IMG1); do rq . GET $V/snapshots/$S1 "${A[@]}"; done
say "Nova: createImage of the volume-backed server (2.45)"
mkimage capture-vb-2 "${N245[@]}"
IMG2=$IMG
say "Nova: a second createImage right away (no task_state, so no 409?)"
mkimage capture-vb-3 "${N245[@]}"
IMG3=$IMG
say "Glance: which listings find these images"
rq '.images |= map({name})' GET "$G/v2/images?instance_uuid=$BOOT" "${A[@]}"
rq '[.images[] | select(.name | startswith("capture-vb")) | .name]' GET "$G/v2/images?image_type=snapshot" "${A[@]}"
rq '.images |= map({name})' GET "$G/v2/images?autosnap_server=$BOOT" "${A[@]}"
rq '.images |= map({name})' GET "$G/v2/images?bdm_v2=True" "${A[@]}"
rq '.images |= map({name})' GET "$N/images/detail?server=$BOOT" "${A[@]}"
say "Nova: the image proxy's view of one"
rq . GET $N/images/$IMG1 "${A[@]}"
say "Cinder: snapshots made by Nova, with their volume"
rq '.snapshots |= map({name,description,status,volume_id,size,metadata})' GET "$V/snapshots/detail?volume_id=$ROOTVOL" "${A[@]}"

say "Glance, Cinder: delete the first image, then its snapshot"
SN1=$(bdm_snapshots $IMG1)
rq . DELETE $G/v2/images/$IMG1 "${A[@]}"
rq . DELETE $V/snapshots/$SN1 "${A[@]}"; t0=$(date +%s%N); watch_snapshot $SN1
say "Glance: delete the image; its Cinder snapshot stays"
SN2=$(bdm_snapshots $IMG2)
rq . DELETE $G/v2/images/$IMG2 "${A[@]}"
rq '.snapshot | {id,name,status}' GET $V/snapshots/$SN2 "${A[@]}"
rq . DELETE $V/snapshots/$SN2 "${A[@]}"; t0=$(date +%s%N); watch_snapshot $SN2
say "Cinder: delete the snapshot first; the image stays active; boot from it"
SN3=$(bdm_snapshots $IMG3)
rq . DELETE $V/snapshots/$SN3 "${A[@]}"; t0=$(date +%s%N); watch_snapshot $SN3
rq '{status,size}' GET $G/v2/images/$IMG3 "${A[@]}"
rq . POST $N/servers "${J[@]}" "${A[@]}" -H 'OpenStack-API-Version: compute 2.37' \
   -d "{\"server\":{\"name\":\"capture-boot\",\"imageRef\":\"$IMG3\",\"flavorRef\":\"1\",\"networks\":\"none\"}}"
BOOTED=$(jq -r '.server.id // empty' $TMP/b)
[ -n "$BOOTED" ] && { sleep 5; rq '.server | {status,fault}' GET $N/servers/$BOOTED "${A[@]}"; rq . DELETE $N/servers/$BOOTED "${A[@]}"; }
rq . DELETE $G/v2/images/$IMG3 "${A[@]}"

say "Nova: createImage when Cinder refuses the 2nd of 2 volumes (gigabytes quota = usage + 1)"
rq '.volume | {id,status}' POST $V/volumes "${J[@]}" "${A[@]}" -d '{"volume":{"size":1,"name":"capture-second"}}'
SECOND=$(jq -r .volume.id $TMP/b); wait_volume $SECOND available
rq . POST $N/servers/$BOOT/os-volume_attachments "${J[@]}" "${A[@]}" -d "{\"volumeAttachment\":{\"volumeId\":\"$SECOND\"}}"
wait_volume $SECOND in-use
rq '.quota_set | {snapshots,gigabytes,volumes}' GET "$V/os-quota-sets/$PROJECT_ID?usage=true" "${A[@]}"
GB=$(jq '.quota_set.gigabytes.in_use + .quota_set.gigabytes.reserved' $TMP/b)
set_quota "{\"gigabytes\":$((GB + 1))}"
rq '.limits.absolute | {maxTotalSnapshots,totalSnapshotsUsed,maxTotalVolumeGigabytes,totalGigabytesUsed}' GET $V/limits "${A[@]}"
mkimage capture-vb-two "${N245[@]}"
rq '.images |= map({id,name})' GET "$G/v2/images?name=capture-vb-two" "${A[@]}"
rq '.snapshots |= map({id,name,description,status,volume_id,metadata})' GET "$V/snapshots/detail?name=snapshot%20for%20capture-vb-two" "${A[@]}"
LEFT=$(jq -r '.snapshots[].id' $TMP/b)
rq '.limits.absolute | {maxTotalSnapshots,totalSnapshotsUsed,maxTotalVolumeGigabytes,totalGigabytesUsed}' GET $V/limits "${A[@]}"
for L in $LEFT; do rq . DELETE $V/snapshots/$L "${A[@]}"; t0=$(date +%s%N); watch_snapshot $L; done
reset_quota
say "Nova: the same with both volumes fitting: one image, two snapshots"
mkimage capture-vb-two-ok "${N245[@]}"
IMG4=$IMG
rq '.block_device_mapping | fromjson | map({device_name,boot_index,snapshot_id,volume_size,source_type,destination_type})' GET $G/v2/images/$IMG4 "${A[@]}"
SN4=$(bdm_snapshots $IMG4)
[ -n "$SN4" ] || SN4=$(jget "${A[@]}" "$V/snapshots/detail?name=snapshot%20for%20capture-vb-two-ok" | jq -r '.snapshots[].id')
rq . DELETE $G/v2/images/$IMG4 "${A[@]}"
for L in $SN4; do t0=$(date +%s%N); watch_snapshot $L >/dev/null; rq . DELETE $V/snapshots/$L "${A[@]}"; watch_snapshot $L; done
rq . DELETE $N/servers/$BOOT/os-volume_attachments/$SECOND "${A[@]}"
wait_volume $SECOND available
rq . DELETE $V/volumes/$SECOND "${A[@]}"
wait_volume $SECOND "(gone)"

say "Nova: createImage of the image-backed server with a data volume"
SRV_FOR_IMAGE=$DATASRV
mkimage capture-data-1 "${N245[@]}"
IMG5=$IMG
for _ in $(seq 1 60); do [ "$(jget "${A[@]}" $G/v2/images/$IMG5 | jq -r .status)" = active ] && break; sleep 0.5; done
rq 'with_entries(select(.key | test("block_device|bdm|root_device|instance_uuid|image_type|status|size")))' GET $G/v2/images/$IMG5 "${A[@]}"
rq '.snapshots |= map({name})' GET "$V/snapshots/detail?volume_id=$DATAVOL" "${A[@]}"
for _ in $(seq 1 60); do [ "$(jget "${A[@]}" $N/servers/$DATASRV | jq -r '.server."OS-EXT-STS:task_state"')" = null ] && break; sleep 0.5; done
rq . DELETE $G/v2/images/$IMG5 "${A[@]}"

say "cinder-api stopped (down.sh cinder-api)"
bash $HERE/down.sh cinder-api
rq . GET $V/snapshots "${A[@]}"
SRV_FOR_IMAGE=$BOOT
t0=$(date +%s%N)
mkimage capture-vb-nocinder "${N245[@]}"
echo "  answered after $(ms_since $t0)"
rq '.images |= map({id,name,status})' GET "$G/v2/images?name=capture-vb-nocinder" "${A[@]}"
for L in $(jq -r '.images[].id' $TMP/b); do rq . DELETE $G/v2/images/$L "${A[@]}"; done
rq '.server | {status,"OS-EXT-STS:task_state"}' GET $N/servers/$BOOT "${A[@]}"
SRV_FOR_IMAGE=$DATASRV
mkimage capture-data-nocinder "${N245[@]}"
IMG6=$IMG
for _ in $(seq 1 60); do [ "$(jget "${A[@]}" $G/v2/images/$IMG6 | jq -r .status)" = active ] && break; sleep 0.5; done
rq '{status,size}' GET $G/v2/images/$IMG6 "${A[@]}"
for _ in $(seq 1 60); do [ "$(jget "${A[@]}" $N/servers/$DATASRV | jq -r '.server."OS-EXT-STS:task_state"')" = null ] && break; sleep 0.5; done
rq . DELETE $G/v2/images/$IMG6 "${A[@]}"
bash $HERE/up.sh >/dev/null 2>&1 && echo "(up.sh started cinder-api again)"
rq '[.snapshots[].name]' GET $V/snapshots "${A[@]}"
