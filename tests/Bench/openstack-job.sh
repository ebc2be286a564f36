#!/bin/sh
# The nightly job as a user would script it with the openstack command line client (python3-openstackclient):
# snapshot one server, wait for it, then delete the pool's good images beyond the newest RETENTION+1
# (the retention contract's "-Retention N keeps the newest N+1 good images").
#
#   openstack-job.sh <server name> <schedule> <retention>
#
# Credentials and region come from the usual OS_* environment variables. Each step is one `openstack` process,
# as in a hand-written cron script; every process authenticates on its own.
set -eu
server=$1
schedule=$2
retention=$3

server_id=$(openstack server show "$server" -f value -c id)
openstack server image create --wait \
    --name "$server-$schedule-$(date -u +%Y%m%dT%H%M%SZ)" \
    --property "autosnap_schedule=$schedule" --property "autosnap_server=$server_id" \
    -f value -c id "$server_id"
openstack image list --status active --sort created_at:desc \
    --property "autosnap_schedule=$schedule" --property "autosnap_server=$server_id" -f value -c ID |
    tail -n "+$((retention + 2))" |
    xargs -r openstack image delete
