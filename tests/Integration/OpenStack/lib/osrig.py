"""The tier's setup steps that talk to the running services, one Python process each instead of dozens of
`openstack` CLI calls (each of those costs ~2 s of start-up).

usage: osrig.py STATE_DIR COMMAND
  keystone        projects service/demo, users (services + demo), roles, services, endpoints (idempotent)
  compute-up      wait until nova-compute reports "up" (exit 1 after 180 s)
  hypervisor-up   wait until the compute node is mapped and listed as a hypervisor
  seed            flavor m1.tiny, public image tiny-raw, the test servers (as demo), rig.json, env files
  admin-token     print an admin token (for up.sh's own curl calls)
  check           demo token, catalog, every test server ACTIVE with no task_state; prints a summary

Settings come from the environment up.sh exports (AUTOSNAP_OSRIG_*). Talks to 127.0.0.1 only.
"""
import json
import os
import sys
import time

from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client as ks_client

HOST = '127.0.0.1'
AUTH_URL = 'http://%s:5000/v3' % HOST
REGION = 'RegionOne'
STATE = sys.argv[1]
PASSWORD = os.environ.get('AUTOSNAP_OSRIG_PASSWORD', 'secret')
SERVERS = int(os.environ.get('AUTOSNAP_OSRIG_SERVERS', '3'))
COMPUTE_HOST = 'autosnap-osrig-compute'
SERVER_PREFIX = 'autosnap-it-'

SERVICES = (('compute', 'nova', 'http://%s:8774/v2.1' % HOST),
            ('image', 'glance', 'http://%s:9292' % HOST),
            ('placement', 'placement', 'http://%s:8778' % HOST),
            ('network', 'neutron', 'http://%s:9696' % HOST))


def session(user, project):
    auth = v3.Password(auth_url=AUTH_URL, username=user, password=PASSWORD, project_name=project,
                       user_domain_id='default', project_domain_id='default')
    return ks_session.Session(auth=auth)


class ApiError(Exception):
    pass


def call(sess, service, method, path, expect=(200,), **kwargs):
    headers = kwargs.pop('headers', {})
    resp = sess.request(path, method, endpoint_filter={'service_type': service, 'interface': 'public',
                                                       'region_name': REGION},
                        headers=headers, raise_exc=False, **kwargs)
    if resp.status_code not in expect:
        raise ApiError('%s %s -> %d %s' % (method, path, resp.status_code, resp.text[:300]))
    return resp


def log(msg):
    print(msg, flush=True)


def cmd_keystone():
    ks = ks_client.Client(session=session('admin', 'admin'))
    roles = {r.name: r for r in ks.roles.list()}
    projects = {}
    for name in ('service', 'demo'):
        found = ks.projects.list(name=name)
        projects[name] = found[0] if found else ks.projects.create(name, 'default')
    for user, project, role in (('nova', 'service', 'admin'), ('glance', 'service', 'admin'),
                                ('placement', 'service', 'admin'), ('neutron', 'service', 'admin'),
                                ('demo', 'demo', 'member')):
        found = ks.users.list(name=user)
        u = found[0] if found else ks.users.create(user, domain='default', password=PASSWORD)
        ks.roles.grant(roles[role], user=u, project=projects[project])
    for stype, name, url in SERVICES:
        found = ks.services.list(type=stype)
        svc = found[0] if found else ks.services.create(name, type=stype)
        have = {e.interface for e in ks.endpoints.list(service=svc)}
        for interface in ('public', 'internal', 'admin'):
            if interface not in have:
                ks.endpoints.create(svc, url, interface=interface, region=REGION)
    log('keystone: projects service+demo, users nova/glance/placement/neutron/demo, %d services' % len(SERVICES))


def wait(what, predicate, seconds):
    deadline, last = time.time() + seconds, None
    while time.time() < deadline:
        try:
            if predicate():
                return
        except SystemExit:
            raise
        except Exception as e:  # services still starting: connection refused, 503...
            last = e
        time.sleep(1)
    raise SystemExit('timed out waiting for %s%s' % (what, ' (last error: %s)' % last if last else ''))


def cmd_compute_up():
    admin = session('admin', 'admin')

    def up():
        services = call(admin, 'compute', 'GET', '/os-services?binary=nova-compute').json()['services']
        return any(s['host'] == COMPUTE_HOST and s['state'] == 'up' for s in services)
    wait('nova-compute to report up', up, 180)


def cmd_hypervisor_up():
    admin = session('admin', 'admin')

    def listed():
        hypervisors = call(admin, 'compute', 'GET', '/os-hypervisors').json()['hypervisors']
        return any(h['hypervisor_hostname'] == COMPUTE_HOST for h in hypervisors)
    wait('the compute node to be listed as a hypervisor', listed, 120)


def demo_servers(demo):
    servers = call(demo, 'compute', 'GET', '/servers/detail').json()['servers']
    return sorted((s for s in servers if s['name'].startswith(SERVER_PREFIX)), key=lambda s: s['name'])


def cmd_seed():
    admin = session('admin', 'admin')
    demo = session('demo', 'demo')

    flavors = call(admin, 'compute', 'GET', '/flavors').json()['flavors']
    if not any(f['name'] == 'm1.tiny' for f in flavors):
        call(admin, 'compute', 'POST', '/flavors', expect=(200,),
             json={'flavor': {'name': 'm1.tiny', 'id': '1', 'ram': 64, 'disk': 1, 'vcpus': 1}})
        log('flavor m1.tiny created')

    images = call(admin, 'image', 'GET', '/v2/images?name=tiny-raw').json()['images']
    if images and images[0]['status'] == 'active':
        image = images[0]
    else:
        for img in images:  # a half-made one from an interrupted run
            call(admin, 'image', 'DELETE', '/v2/images/%s' % img['id'], expect=(204,))
        image = call(admin, 'image', 'POST', '/v2/images', expect=(201,),
                     json={'name': 'tiny-raw', 'disk_format': 'raw', 'container_format': 'bare',
                           'visibility': 'public'}).json()
        call(admin, 'image', 'PUT', '/v2/images/%s/file' % image['id'], expect=(204,),
             data=b'\0' * 1048576, headers={'Content-Type': 'application/octet-stream'})
        log('image tiny-raw uploaded')

    have = {s['name'] for s in demo_servers(demo)}
    for n in range(1, SERVERS + 1):
        name = '%s%d' % (SERVER_PREFIX, n)
        if name not in have:
            call(demo, 'compute', 'POST', '/servers', expect=(202,),
                 headers={'OpenStack-API-Version': 'compute 2.37'},
                 json={'server': {'name': name, 'imageRef': image['id'], 'flavorRef': '1', 'networks': 'none'}})
            log('booting %s' % name)

    def all_active():
        servers = demo_servers(demo)
        bad = [s for s in servers if s['status'] == 'ERROR']
        if bad:
            raise SystemExit('server %s went to ERROR: %s' % (bad[0]['name'], bad[0].get('fault')))
        return len(servers) >= SERVERS and all(s['status'] == 'ACTIVE' for s in servers)
    wait('the test servers to become ACTIVE', all_active, 180)

    servers = demo_servers(demo)
    demo_project = demo.get_project_id()
    rig = {
        'host': HOST,
        'authUrl': AUTH_URL,
        'region': REGION,
        'computeUrl': SERVICES[0][2],
        'imageUrl': SERVICES[1][2],
        'userDomain': 'Default',
        'projectDomain': 'Default',
        'demo': {'username': 'demo', 'password': PASSWORD, 'project': 'demo', 'projectId': demo_project,
                 'userId': demo.get_user_id()},
        'admin': {'username': 'admin', 'password': PASSWORD, 'project': 'admin'},
        'baseImageId': image['id'],
        'flavor': 'm1.tiny',
        'servers': [{'id': s['id'], 'name': s['name']} for s in servers],
        'stateDir': STATE,
        'controlDir': os.path.join(STATE, 'control'),
        'pids': os.path.join(STATE, 'run'),
        'logs': os.path.join(STATE, 'log'),
    }
    write(os.path.join(STATE, 'rig.json'), json.dumps(rig, indent=2) + '\n')
    for name, user, project in (('env', 'demo', 'demo'), ('env.admin', 'admin', 'admin')):
        write(os.path.join(STATE, name), ''.join('export %s=%s\n' % kv for kv in (
            ('OS_AUTH_URL', AUTH_URL),
            ('OS_IDENTITY_API_VERSION', '3'),
            ('OS_AUTH_TYPE', 'password'),
            ('OS_USERNAME', user),
            ('OS_PASSWORD', PASSWORD),
            ('OS_PROJECT_NAME', project),
            ('OS_USER_DOMAIN_NAME', 'Default'),
            ('OS_PROJECT_DOMAIN_NAME', 'Default'),
            ('OS_REGION_NAME', REGION),
            ('OS_INTERFACE', 'public'),
            ('AUTOSNAP_OSRIG_STATE', STATE),
            ('AUTOSNAP_OSRIG_SERVER_IDS', '"%s"' % ' '.join(s['id'] for s in servers)),
        )))


def write(path, text):
    tmp = path + '.tmp'
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds the test password
    with os.fdopen(fd, 'w') as f:
        f.write(text)
    os.replace(tmp, path)


def cmd_check():
    demo = session('demo', 'demo')
    token = demo.get_token()
    catalog = {e['type'] for e in demo.auth.get_access(demo).service_catalog.catalog}
    missing = {'compute', 'image'} - catalog
    if missing:
        raise SystemExit('catalog lacks %s' % ', '.join(sorted(missing)))
    servers = demo_servers(demo)
    if len(servers) < SERVERS:
        raise SystemExit('only %d of %d test servers exist' % (len(servers), SERVERS))
    for s in servers:
        log('  %s  %-14s %s task_state=%s' % (s['id'], s['name'], s['status'], s['OS-EXT-STS:task_state']))
    bad = [s['name'] for s in servers if s['status'] != 'ACTIVE']
    if bad:
        raise SystemExit('not ACTIVE: %s' % ', '.join(bad))
    call(demo, 'image', 'GET', '/v2/images?limit=1')
    log('check ok: demo token (%d chars), catalog %s, %d servers ACTIVE' % (len(token), ' '.join(sorted(catalog)),
                                                                            len(servers)))


def cmd_admin_token():
    print(session('admin', 'admin').get_token())


COMMANDS = {'admin-token': cmd_admin_token, 'keystone': cmd_keystone, 'compute-up': cmd_compute_up, 'hypervisor-up': cmd_hypervisor_up,
            'seed': cmd_seed, 'check': cmd_check}

if __name__ == '__main__':
    try:
        COMMANDS[sys.argv[2]]()
    except ApiError as e:
        raise SystemExit(str(e))
