#!/bin/bash
# Records how the running tier's real services answer the calls Autosnap relies on (README "API record").
# Prints request line, status, the headers that matter and the body (trimmed with jq) for each call.
# Tokens and secrets are masked. Creates snapshots of the LAST test server and deletes them again; stops
# and restarts glance-api once (section "Glance stopped"). Needs a running tier (up.sh) and root.
#   usage: capture-api.sh > record.txt
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
S=${AUTOSNAP_OSRIG_STATE:-/var/lib/autosnap-osrig}
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
RIG=$S/rig.json
[ -f $RIG ] || { echo "no $RIG: run up.sh first" >&2; exit 1; }
K=$(jq -r .authUrl $RIG); K=${K%/v3}
N=$(jq -r .computeUrl $RIG)
G=$(jq -r .imageUrl $RIG)
PW=$(jq -r .demo.password $RIG)
SRV=$(jq -r '.servers[-1].id' $RIG)
OTHER=$(jq -r '.servers[0].id' $RIG)
CTL=$S/control
TMP=$(mktemp -d); trap 'rm -rf $TMP; rm -f $CTL/hold $CTL/fail' EXIT
. $HERE/lib/capture-lib.sh

say "Keystone: version documents"
rq '.versions.values[] |= {id,status,updated,links:[.links[].href]}' GET $K/
rq '.version |= {id,status,updated,links:[.links[].href],"media-types"}' GET $K/v3

say "Keystone: password auth, project scope (names + domain names)"
rq '.token | {methods,expires_at,issued_at,audit_ids:(.audit_ids|length|tostring+" id(s)"),user,project,is_domain,roles,
   catalog:[.catalog[] | {type,name,id:"…",endpoints:[.endpoints[] | {interface,region,region_id,url,id:"…"}]}]}' \
   POST $K/v3/auth/tokens "${J[@]}" -d "$(pwauth demo "$PW" demo)"
T=$(hdr X-Subject-Token)
A=(-H "X-Auth-Token: $T")
USER_ID=$(jq -r .token.user.id $TMP/b)
echo "(token length ${#T}; expires_at - issued_at = $(jq -r '(.token.expires_at|sub("\\.[0-9]+";"")|fromdateiso8601) - (.token.issued_at|sub("\\.[0-9]+";"")|fromdateiso8601)' $TMP/b) s)"

say "Keystone: ?nocatalog"
rq '.token | keys' POST "$K/v3/auth/tokens?nocatalog" "${J[@]}" -d "$(pwauth demo "$PW" demo)"

say "Keystone: wrong password / unknown user / unknown project / no JSON"
rq . POST $K/v3/auth/tokens "${J[@]}" -d "$(pwauth demo wrong demo)"
rq . POST $K/v3/auth/tokens "${J[@]}" -d "$(pwauth nobody "$PW" demo)"
rq . POST $K/v3/auth/tokens "${J[@]}" -d "$(pwauth demo "$PW" nosuchproject)"
rq . POST $K/v3/auth/tokens "${J[@]}" -d 'not json'
say "Keystone: v2.0 (Rackspace-style) token request"
rq . POST $K/v2.0/tokens "${J[@]}" -d '{"auth":{"passwordCredentials":{"username":"demo","password":"x"}}}'

say "Keystone: application credential, created by demo with its own token"
AC_NAME=capture-$(date +%s)
rq '.application_credential' POST $K/v3/users/$USER_ID/application_credentials "${J[@]}" "${A[@]}" \
   -d "{\"application_credential\":{\"name\":\"$AC_NAME\",\"description\":\"capture-api.sh\"}}"
AC_ID=$(jq -r .application_credential.id $TMP/b); AC_SECRET=$(jq -r .application_credential.secret $TMP/b)
say "Keystone: auth with application credential id + secret (no scope)"
rq '.token | {methods,expires_at,user,project,roles,application_credential,catalog:(.catalog|map(.type))}' POST $K/v3/auth/tokens "${J[@]}" \
   -d "{\"auth\":{\"identity\":{\"methods\":[\"application_credential\"],\"application_credential\":{\"id\":\"$AC_ID\",\"secret\":\"$AC_SECRET\"}}}}"
say "Keystone: application credential by name + user name/domain"
rq '.token | {methods,project:.project.name}' POST $K/v3/auth/tokens "${J[@]}" \
   -d "{\"auth\":{\"identity\":{\"methods\":[\"application_credential\"],\"application_credential\":{\"name\":\"$AC_NAME\",\"user\":{\"name\":\"demo\",\"domain\":{\"name\":\"Default\"}},\"secret\":\"$AC_SECRET\"}}}}"
say "Keystone: application credential, wrong secret / unknown id / with a scope"
rq . POST $K/v3/auth/tokens "${J[@]}" \
   -d "{\"auth\":{\"identity\":{\"methods\":[\"application_credential\"],\"application_credential\":{\"id\":\"$AC_ID\",\"secret\":\"wrong\"}}}}"
rq . POST $K/v3/auth/tokens "${J[@]}" \
   -d "{\"auth\":{\"identity\":{\"methods\":[\"application_credential\"],\"application_credential\":{\"id\":\"0123456789abcdef0123456789abcdef\",\"secret\":\"x\"}}}}"
rq . POST $K/v3/auth/tokens "${J[@]}" \
   -d "{\"auth\":{\"identity\":{\"methods\":[\"application_credential\"],\"application_credential\":{\"id\":\"$AC_ID\",\"secret\":\"$AC_SECRET\"}},\"scope\":{\"project\":{\"name\":\"demo\",\"domain\":{\"name\":\"Default\"}}}}}"
say "Keystone: delete the application credential"
rq . DELETE $K/v3/users/$USER_ID/application_credentials/$AC_ID "${A[@]}"

say "Nova: version documents"
rq '.versions[] |= {id,status,version,min_version,links:[.links[].href]}' GET http://127.0.0.1:8774/
rq '.version |= {id,status,version,min_version}' GET $N/ "${A[@]}"

say "Nova: no token / bad token"
rq . GET $N/servers
rq . GET $N/servers -H 'X-Auth-Token: not-a-token'

say "Nova: GET /servers/{id} (no microversion = 2.1)"
rq '.server | (to_entries | map({key, value: (if (.value|type)=="string" or .value==null then .value else (.value|type) end)}) | from_entries) + {metadata:.metadata, image:.image, flavor:.flavor, links:[.links[].href]}' GET $N/servers/$SRV "${A[@]}"
say "Nova: GET /servers/{id} at 2.93 (max): differences"
rq '.server | {status, "OS-EXT-STS:task_state", "OS-EXT-STS:vm_state", locked, description, tags, image, flavor:(.flavor|keys), host_status:(has("host_status"))}' GET $N/servers/$SRV "${A[@]}" -H 'OpenStack-API-Version: compute 2.93'
say "Nova: unknown server"
rq . GET $N/servers/00000000-0000-0000-0000-000000000000 "${A[@]}"
say "Nova: tenant-in-URL form of the same call"
PROJECT_ID=$(jq -r .demo.projectId $RIG)
rq '.server | {id,status}' GET http://127.0.0.1:8774/v2.1/$PROJECT_ID/servers/$SRV "${A[@]}"
rq '.server | {id,status}' GET http://127.0.0.1:8774/v2/$PROJECT_ID/servers/$SRV "${A[@]}"

SNAME=$(jq -r '.servers[-1].name' $RIG)
say "Nova: GET /servers?name=  (a regular expression, matched anywhere)"
rq '[.servers[].name]' GET "$N/servers?name=$SNAME" "${A[@]}"
rq '[.servers[].name]' GET "$N/servers?name=autosnap-it" "${A[@]}"
rq '[.servers[].name]' GET "$N/servers?name=%5E${SNAME}%24" "${A[@]}"
rq '[.servers[].name]' GET "$N/servers?name=it-%5B12%5D" "${A[@]}"
rq '.servers[0] | keys' GET "$N/servers/detail?name=%5E${SNAME}%24" "${A[@]}"

say "Nova: GET /limits"
rq . GET $N/limits "${A[@]}"

say "Nova: microversions"
rq '.server.status' GET $N/servers/$SRV "${A[@]}" -H 'OpenStack-API-Version: compute 2.999'
rq '.server.status' GET $N/servers/$SRV "${A[@]}" -H 'OpenStack-API-Version: compute latest'
rq '.server.status' GET $N/servers/$SRV "${A[@]}" -H 'OpenStack-API-Version: compute 2.0'
rq '.server.status' GET $N/servers/$SRV "${A[@]}" -H 'X-OpenStack-Nova-API-Version: 2.45'
rq '.server.status' GET $N/servers/$SRV "${A[@]}" -H 'OpenStack-API-Version: compute two'

say "Nova: createImage, no microversion (2.1), metadata becomes Glance properties"
touch $CTL/hold   # the compute driver waits before its upload: image stays queued, task_state set
rq . POST $N/servers/$SRV/action "${J[@]}" "${A[@]}" \
   -d '{"createImage":{"name":"capture-1","metadata":{"autosnap_schedule":"daily","autosnap_server":"'$SRV'","Mixed_Case":"v"}}}'
IMG1=$(hdr Location); IMG1=${IMG1##*/}
sleep 1
say "Nova: server while the snapshot is held before upload"
rq '.server | {status, "OS-EXT-STS:task_state", "OS-EXT-STS:vm_state", "OS-EXT-STS:power_state"}' GET $N/servers/$SRV "${A[@]}"
say "Nova: createImage again while the first one runs -> 409"
rq . POST $N/servers/$SRV/action "${J[@]}" "${A[@]}" -d '{"createImage":{"name":"capture-x"}}'
rq . POST $N/servers/$SRV/action "${J[@]}" "${A[@]}" -H 'OpenStack-API-Version: compute 2.45' -d '{"createImage":{"name":"capture-x"}}'
say "Glance: the queued snapshot (GET /v2/images/{id})"
rq '(to_entries | map({key, value: .value}) | from_entries) | .id="…"|.owner="…"|.user_id="…"|.instance_uuid="<server>"|.base_image_ref="<base image>"|.file="/v2/images/<id>/file"|.self="/v2/images/<id>"' GET $G/v2/images/$IMG1 "${A[@]}"
say "Nova image proxy: the queued snapshot (GET /v2.1/images/{id})"
rq '.image | .id="…"|.links=[.links[]|{rel,href}]' GET $N/images/$IMG1 "${A[@]}"
say "Nova image proxy at microversion 2.36 (proxy removed)"
rq . GET $N/images/$IMG1 "${A[@]}" -H 'OpenStack-API-Version: compute 2.36'
rm -f $CTL/hold
say "Status while saving and when active (glance status/size, proxy status/progress/size, server task_state)"
for _ in $(seq 1 60); do
  curl -s "${A[@]}" $G/v2/images/$IMG1 >$TMP/g.json
  [ "$(jq -r .status $TMP/g.json)" = saving ] && [ ! -f $TMP/saving.json ] && cp $TMP/g.json $TMP/saving.json
  g=$(jq -c '{status,size,checksum:(.checksum!=null),disk_format,container_format}' $TMP/g.json)
  p=$(curl -s "${A[@]}" $N/images/$IMG1 | jq -c '.image | {status,progress,size:.["OS-EXT-IMG-SIZE:size"]}')
  t=$(curl -s "${A[@]}" $N/servers/$SRV | jq -r '.server["OS-EXT-STS:task_state"]')
  line="glance=$g proxy=$p task_state=$t"
  [ "$line" != "${prev:-}" ] && echo "$(date -u +%T) $line"; prev=$line
  [[ $g == *'"active"'* ]] && break
  sleep 0.3
done
say "Glance: the snapshot while saving (fields that are not custom properties)"
[ -f $TMP/saving.json ] && jq -c '{status,size,virtual_size,checksum,os_hash_algo,os_hash_value,disk_format,container_format,created_at,updated_at,stores:(if has("stores") then .stores else "(absent)" end)}' $TMP/saving.json
say "Glance: the active snapshot"
rq '{status,size,virtual_size,checksum,os_hash_algo,os_hash_value:(.os_hash_value|.[0:16]+"…"),disk_format,container_format,created_at,updated_at,min_disk,min_ram,protected,visibility,os_hidden,tags,stores,locations:(if has("locations") then .locations else "(absent)" end),direct_url:(if has("direct_url") then .direct_url else "(absent)" end)}' GET $G/v2/images/$IMG1 "${A[@]}"
say "Nova image proxy: the active snapshot"
rq '.image | .id="…"|.links=[.links[]|{rel,href}]' GET $N/images/$IMG1 "${A[@]}"

say "Nova: createImage with OpenStack-API-Version: compute 2.45"
rq . POST $N/servers/$SRV/action "${J[@]}" "${A[@]}" -H 'OpenStack-API-Version: compute 2.45' \
   -d '{"createImage":{"name":"capture-2","metadata":{"autosnap_schedule":"weekly","autosnap_server":"'$SRV'"}}}'
IMG2=$(jq -r .image_id $TMP/b)
say "Nova: createImage at 2.1 with JSON Accept (content type of the 202)"
for _ in $(seq 1 40); do [ "$(curl -s "${A[@]}" $N/servers/$SRV | jq -r '.server["OS-EXT-STS:task_state"]')" = null ] && break; sleep 0.5; done
rq . POST $N/servers/$SRV/action "${J[@]}" "${A[@]}" -H 'Accept: application/json' -d '{"createImage":{"name":"capture-3","metadata":{"autosnap_schedule":"daily"}}}'
IMG3=$(hdr Location); IMG3=${IMG3##*/}
say "Nova: createImage errors"
rq . POST $N/servers/00000000-0000-0000-0000-000000000000/action "${J[@]}" "${A[@]}" -d '{"createImage":{"name":"x"}}'
rq . POST $N/servers/$SRV/action "${J[@]}" "${A[@]}" -d '{"createImage":{}}'
rq . POST $N/servers/$SRV/action "${J[@]}" "${A[@]}" -d '{"createImage":{"name":"x","metadata":{"n":1}}}'
rq . POST $N/servers/$SRV/action "${J[@]}" "${A[@]}" -d "{\"createImage\":{\"name\":\"$(printf 'n%.0s' $(seq 1 256))\"}}"
for _ in $(seq 1 40); do [ "$(curl -s "${A[@]}" $N/servers/$SRV | jq -r '.server["OS-EXT-STS:task_state"]')" = null ] && break; sleep 0.5; done

say "Glance: list filters"
rq '{images:[.images[]|{name,status,autosnap_schedule}],first,has_next:has("next"),schema}' GET "$G/v2/images?instance_uuid=$SRV" "${A[@]}"
rq '[.images[]|.name]' GET "$G/v2/images?instance_uuid=$SRV&autosnap_schedule=daily" "${A[@]}"
rq '[.images[]|.name]' GET "$G/v2/images?autosnap_server=$SRV&autosnap_schedule=weekly" "${A[@]}"
rq '[.images[]|.name]' GET "$G/v2/images?Mixed_Case=v" "${A[@]}"
rq '[.images[]|.name]' GET "$G/v2/images?mixed_case=v" "${A[@]}"
rq '[.images[]|.name]' GET "$G/v2/images?instance_uuid=$OTHER" "${A[@]}"
rq '[.images[]|.name]' GET "$G/v2/images?autosnap_schedule=nosuch" "${A[@]}"
rq '[.images[]|{name,status}]' GET "$G/v2/images?instance_uuid=$SRV&status=active" "${A[@]}"
rq '[.images[]|{name,status}]' GET "$G/v2/images?instance_uuid=$SRV&status=in:queued,saving" "${A[@]}"
rq '[.images[]|{name,status}]' GET "$G/v2/images?status=ACTIVE" "${A[@]}"
rq . GET "$G/v2/images?status=bogus" "${A[@]}"
say "Glance: sorting and paging"
rq '{names:[.images[]|.name],first,next}' GET "$G/v2/images?instance_uuid=$SRV&sort_key=created_at&sort_dir=desc&limit=1" "${A[@]}"
NEXT=$(jq -r .next $TMP/b)
rq '{names:[.images[]|.name],first,next}' GET "$G$NEXT" "${A[@]}"
NEXT=$(jq -r .next $TMP/b)
rq '{names:[.images[]|.name],has_next:has("next")}' GET "$G$NEXT" "${A[@]}"
rq '{names:[.images[]|.name],next}' GET "$G/v2/images?instance_uuid=$SRV&sort=created_at:asc&limit=2" "${A[@]}"
rq '{names:[.images[]|.name],has_next:has("next")}' GET "$G/v2/images?instance_uuid=$SRV&limit=3" "${A[@]}"
rq '{names:[.images[]|.name],has_next:has("next")}' GET "$G/v2/images?instance_uuid=$SRV&limit=4" "${A[@]}"
rq '{names:[.images[]|.name],next}' GET "$G/v2/images?instance_uuid=$SRV&sort_key=name&sort_dir=asc" "${A[@]}"
rq . GET "$G/v2/images?instance_uuid=$SRV&sort_key=created_at&sort=name:asc" "${A[@]}"
rq '{count:(.images|length),next:(.next!=null)}' GET "$G/v2/images?limit=100000" "${A[@]}"
rq . GET "$G/v2/images?limit=-1" "${A[@]}"
rq . GET "$G/v2/images?marker=00000000-0000-0000-0000-000000000000" "${A[@]}"

say "Nova image proxy list filters"
rq '[.images[]|{name,status,server:.server.id,metadata}]' GET "$N/images/detail?server=$SRV" "${A[@]}"
rq '[.images[]|.name]' GET "$N/images/detail?property-autosnap_schedule=daily" "${A[@]}"

say "Glance: PATCH (openstack-images-v2.1-json-patch)"
P=(-H 'Content-Type: application/openstack-images-v2.1-json-patch')
rq '{autosnap_pinned,updated_at}' PATCH $G/v2/images/$IMG1 "${A[@]}" "${P[@]}" -d '[{"op":"add","path":"/autosnap_pinned","value":"true"}]'
rq '{autosnap_pinned}' PATCH $G/v2/images/$IMG1 "${A[@]}" "${P[@]}" -d '[{"op":"add","path":"/autosnap_pinned","value":"again"}]'
rq '{autosnap_pinned}' PATCH $G/v2/images/$IMG1 "${A[@]}" "${P[@]}" -d '[{"op":"replace","path":"/autosnap_pinned","value":"false"}]'
rq . PATCH $G/v2/images/$IMG1 "${A[@]}" "${P[@]}" -d '[{"op":"replace","path":"/no_such_key","value":"x"}]'
rq . PATCH $G/v2/images/$IMG1 "${A[@]}" "${P[@]}" -d '[{"op":"remove","path":"/no_such_key"}]'
rq '{autosnap_pinned:(has("autosnap_pinned"))}' PATCH $G/v2/images/$IMG1 "${A[@]}" "${P[@]}" -d '[{"op":"remove","path":"/autosnap_pinned"}]'
rq . PATCH $G/v2/images/$IMG1 "${A[@]}" "${P[@]}" -d '[{"op":"add","path":"/n","value":1}]'
rq . PATCH $G/v2/images/$IMG1 "${A[@]}" "${P[@]}" -d '[{"op":"replace","path":"/status","value":"active"}]'
rq . PATCH $G/v2/images/$IMG1 "${A[@]}" "${J[@]}" -d '[{"op":"add","path":"/x","value":"y"}]'
rq . PATCH $G/v2/images/$IMG1 "${A[@]}" -H 'Content-Type: application/openstack-images-v2.0-json-patch' -d '[{"add":"/x","value":"y"}]'

say "Glance: protected image"
rq '{protected}' PATCH $G/v2/images/$IMG3 "${A[@]}" "${P[@]}" -d '[{"op":"replace","path":"/protected","value":true}]'
rq . DELETE $G/v2/images/$IMG3 "${A[@]}"
rq . DELETE $G/v2/images/$IMG3 "${A[@]}" -H 'Accept: application/json'
rq . DELETE $N/images/$IMG3 "${A[@]}"
rq '{protected}' PATCH $G/v2/images/$IMG3 "${A[@]}" "${P[@]}" -d '[{"op":"replace","path":"/protected","value":false}]'

say "Glance: DELETE, then again; errors with and without Accept: application/json"
rq . DELETE $G/v2/images/$IMG1 "${A[@]}"
rq . DELETE $G/v2/images/$IMG1 "${A[@]}"
rq . DELETE $G/v2/images/$IMG1 "${A[@]}" -H 'Accept: application/json'
rq . GET $G/v2/images/$IMG1 "${A[@]}"
rq . GET $G/v2/images/$IMG1 "${A[@]}" -H 'Accept: application/json'
rq . GET $G/v2/images/not-a-uuid "${A[@]}" -H 'Accept: application/json'
rq . GET $G/v2/images
rq . GET $G/v2/images -H 'Accept: application/json'
rq . GET $G/v2/images -H 'X-Auth-Token: not-a-token' -H 'Accept: application/json'
say "Nova proxy: DELETE, then again"
rq . DELETE $N/images/$IMG2 "${A[@]}"
rq . DELETE $N/images/$IMG2 "${A[@]}"
rq . GET $N/images/$IMG2 "${A[@]}"
say "Glance: version documents"
rq '.versions | map(.id+" "+.status)' GET $G/
rq '.versions | map(.id+" "+.status)' GET $G/versions

say "Glance: the image of another project"
ADMIN_T=$(curl -s -D - -o /dev/null -X POST $K/v3/auth/tokens "${J[@]}" -d "$(pwauth admin "$PW" admin)" | awk 'tolower($1)=="x-subject-token:"{print $2}' | tr -d '\r')
PRIV=$(curl -s -X POST $G/v2/images -H "X-Auth-Token: $ADMIN_T" "${J[@]}" -d '{"name":"capture-admin-private","disk_format":"raw","container_format":"bare"}' | jq -r .id)
rq . GET $G/v2/images/$PRIV "${A[@]}" -H 'Accept: application/json'
rq . DELETE $G/v2/images/$PRIV "${A[@]}" -H 'Accept: application/json'
curl -s -o /dev/null -X DELETE $G/v2/images/$PRIV -H "X-Auth-Token: $ADMIN_T"

say "Snapshot that the hypervisor fails (control file fail): Nova deletes the image"
touch $CTL/fail
rq . POST $N/servers/$SRV/action "${J[@]}" "${A[@]}" -H 'OpenStack-API-Version: compute 2.45' -d '{"createImage":{"name":"capture-fail"}}'
IMGF=$(jq -r .image_id $TMP/b)
for _ in $(seq 1 40); do [ "$(curl -s "${A[@]}" $N/servers/$SRV | jq -r '.server["OS-EXT-STS:task_state"]')" = null ] && break; sleep 0.5; done
rm -f $CTL/fail
rq '.server | {status, "OS-EXT-STS:task_state", fault}' GET $N/servers/$SRV "${A[@]}"
rq . GET $G/v2/images/$IMGF "${A[@]}" -H 'Accept: application/json'

say "Snapshot deleted in Glance while Nova still holds it before the upload"
touch $CTL/hold
rq . POST $N/servers/$SRV/action "${J[@]}" "${A[@]}" -H 'OpenStack-API-Version: compute 2.45' -d '{"createImage":{"name":"capture-del"}}'
IMGD=$(jq -r .image_id $TMP/b); sleep 1
rq . DELETE $G/v2/images/$IMGD "${A[@]}"
rm -f $CTL/hold
for _ in $(seq 1 40); do [ "$(curl -s "${A[@]}" $N/servers/$SRV | jq -r '.server["OS-EXT-STS:task_state"]')" = null ] && break; sleep 0.5; done
rq '.server | {status, "OS-EXT-STS:task_state"}' GET $N/servers/$SRV "${A[@]}"

say "Glance stopped (glance-api's process group gets SIGTERM; up.sh starts it again)"
GPID=$(cat $S/run/glance-api.pid)
kill -TERM -- -$GPID; for _ in $(seq 1 30); do kill -0 $GPID 2>/dev/null || break; sleep 0.5; done
rq . GET $G/v2/images "${A[@]}"
rq . GET $N/images/$IMG3 "${A[@]}"
rq . GET "$N/images/detail?server=$SRV" "${A[@]}"
rq . POST $N/servers/$SRV/action "${J[@]}" "${A[@]}" -d '{"createImage":{"name":"capture-noglance"}}'
rq . POST $N/servers/$SRV/action "${J[@]}" "${A[@]}" -H 'OpenStack-API-Version: compute 2.45' -d '{"createImage":{"name":"capture-noglance"}}'
rq '.server | {status, "OS-EXT-STS:task_state"}' GET $N/servers/$SRV "${A[@]}"
"$HERE/up.sh" >/dev/null 2>&1 || echo "(up.sh failed to restart glance)"
rq '[.images[]|.name]' GET "$G/v2/images?instance_uuid=$SRV" "${A[@]}"

say "Clean up"
for id in $(curl -s "${A[@]}" "$G/v2/images?instance_uuid=$SRV" | jq -r '.images[] | select(.name|startswith("capture-")) | .id'); do
  curl -s -o /dev/null -w "DELETE $id -> %{http_code}\n" -X DELETE "${A[@]}" $G/v2/images/$id
done
