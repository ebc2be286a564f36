"""The tier's setup steps that talk to the running services, one Python process each instead of dozens of
`openstack` CLI calls (each of those costs ~2 s of start-up).

usage: osrig.py STATE_DIR COMMAND
  keystone        projects service/demo, users (services + demo), roles, services, endpoints (idempotent)
  compute-up      wait until nova-compute reports "up" (exit 1 after 180 s)
  hypervisor-up   wait until the compute node is mapped and listed as a hypervisor
  volume-up       wait until cinder-scheduler and cinder-volume report "up" (exit 1 after 180 s)
  seed            flavors m1.tiny/small/medium, public image tiny-raw, the test servers (as demo), the volume servers
                  (a volume-backed one, an image-backed one with a data volume), demo's key pair and isolated
                  network with a server on it, rig.json, env files
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
# Cinder v3 under both of its catalog types (clients look for either), the project id in the URL as deployed.
VOLUME_URL = 'http://%s:8776/v3' % HOST
VOLUME_SERVICES = (('volumev3', 'cinderv3', VOLUME_URL + '/%(project_id)s'),
                   ('block-storage', 'cinder', VOLUME_URL + '/%(project_id)s'))
# Servers with volumes, apart from the plain test servers (suites index those by position). Each volume is
# named after its server; the volume-backed server boots from a blank 1 GB volume marked bootable.
VOLUME_BACKED = 'autosnap-vol-boot'
WITH_DATA_VOLUME = 'autosnap-vol-data'
# Flavors: m1.tiny is every fixture's; the others give restores a choice (min_disk/min_ram, "smallest that fits").
FLAVORS = (('1', 'm1.tiny', 64, 1, 1), ('2', 'm1.small', 128, 2, 1), ('3', 'm1.medium', 256, 4, 2))
# demo's own network (type 'local': lib/autosnap_ml2.py binds its ports; nothing carries packets), its key pair, and a
# server on that network with that key, so a snapshot records a network, a key name and a security group.
NETWORK = 'autosnap-isolated'
SUBNET_CIDR = '192.0.2.0/24'  # TEST-NET-1: addresses in Neutron's database only
KEY_NAME = 'autosnap-it-key'
NETWORK_SERVER = 'autosnap-net-srv'


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
    # 'service': Cinder trusts a service token (nova's X-Service-Token) only from a user with this role;
    # Keystone Zed's bootstrap does not make it.
    if 'service' not in roles:
        roles['service'] = ks.roles.create('service')
    for user, project, role in (('nova', 'service', 'admin'), ('glance', 'service', 'admin'),
                                ('placement', 'service', 'admin'), ('neutron', 'service', 'admin'),
                                ('cinder', 'service', 'admin'), ('nova', 'service', 'service'),
                                ('cinder', 'service', 'service'), ('demo', 'demo', 'member')):
        found = ks.users.list(name=user)
        u = found[0] if found else ks.users.create(user, domain='default', password=PASSWORD)
        ks.roles.grant(roles[role], user=u, project=projects[project])
    for stype, name, url in SERVICES + VOLUME_SERVICES:
        found = ks.services.list(type=stype)
        svc = found[0] if found else ks.services.create(name, type=stype)
        have = {e.interface for e in ks.endpoints.list(service=svc)}
        for interface in ('public', 'internal', 'admin'):
            if interface not in have:
                ks.endpoints.create(svc, url, interface=interface, region=REGION)
    log('keystone: projects service+demo, users nova/glance/placement/neutron/cinder/demo, %d services'
        % (len(SERVICES) + len(VOLUME_SERVICES)))


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

    # Listed is not schedulable: nova-compute's first resource update can fail on a busy machine ("database is
    # locked"), and until a later one reaches Placement every boot ends in NoValidHost.
    def has_inventory():
        providers = call(admin, 'placement', 'GET', '/resource_providers?name=%s' % COMPUTE_HOST).json()['resource_providers']
        return bool(providers) and 'MEMORY_MB' in call(admin, 'placement', 'GET', '/resource_providers/%s/inventories'
                                                       % providers[0]['uuid']).json()['inventories']
    wait('the compute node\'s inventory in Placement', has_inventory, 180)


def cmd_volume_up():
    admin = session('admin', 'admin')

    def up():
        services = call(admin, 'volumev3', 'GET', '/os-services').json()['services']
        state = {s['binary']: s['state'] for s in services}
        return state.get('cinder-scheduler') == 'up' and state.get('cinder-volume') == 'up'
    wait('cinder-scheduler and cinder-volume to report up', up, 180)


def demo_servers(demo):
    servers = call(demo, 'compute', 'GET', '/servers/detail').json()['servers']
    return sorted((s for s in servers if s['name'].startswith(SERVER_PREFIX)), key=lambda s: s['name'])


def cmd_seed():
    admin = session('admin', 'admin')
    demo = session('demo', 'demo')

    flavors = call(admin, 'compute', 'GET', '/flavors').json()['flavors']
    for flavor_id, name, ram, disk, vcpus in FLAVORS:
        if not any(f['name'] == name for f in flavors):
            call(admin, 'compute', 'POST', '/flavors', expect=(200,),
                 json={'flavor': {'name': name, 'id': flavor_id, 'ram': ram, 'disk': disk, 'vcpus': vcpus}})
            log('flavor %s created' % name)

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

    # a server that went to ERROR while booting (e.g. NoValidHost) is made again
    for s in demo_servers(demo):
        if s['status'] == 'ERROR':
            call(demo, 'compute', 'DELETE', '/servers/%s' % s['id'], expect=(204,))
            wait('server %s in ERROR to be deleted' % s['name'], lambda: server_gone(demo, s['id']), 120)
            log('deleted %s (ERROR: %s)' % (s['name'], (s.get('fault') or {}).get('message')))
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
    volume_servers = seed_volume_servers(admin, demo, image)
    network = seed_network(demo, image)
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
        'flavors': [{'id': f[0], 'name': f[1], 'ram': f[2], 'disk': f[3], 'vcpus': f[4]} for f in FLAVORS],
        'keyName': KEY_NAME,
        'network': network,
        'servers': [{'id': s['id'], 'name': s['name']} for s in servers],
        'volumeUrl': VOLUME_URL + '/' + demo_project,
        'volumeServers': volume_servers,
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


def volume_by_name(demo, name):
    found = call(demo, 'volumev3', 'GET', '/volumes/detail?name=%s' % name).json()['volumes']
    return found[0] if found else None


def wait_volume(demo, volume_id, statuses, seconds=120):
    def reached():
        volume = call(demo, 'volumev3', 'GET', '/volumes/%s' % volume_id).json()['volume']
        if volume['status'] in ('error', 'error_deleting'):
            raise SystemExit('volume %s went to %s' % (volume['name'], volume['status']))
        return volume['status'] in statuses
    wait('volume %s to be %s' % (volume_id, ' or '.join(statuses)), reached, seconds)


def ensure_volume(demo, name, bootable=False):
    volume = volume_by_name(demo, name)
    if volume is None:
        volume = call(demo, 'volumev3', 'POST', '/volumes', expect=(202,),
                      json={'volume': {'name': name, 'size': 1, 'description': 'autosnap tier fixture'}}).json()['volume']
        log('volume %s created' % name)
    wait_volume(demo, volume['id'], ('available', 'in-use'))
    if bootable:
        call(demo, 'volumev3', 'POST', '/volumes/%s/action' % volume['id'], expect=(200,),
             json={'os-set_bootable': {'bootable': True}})
    return call(demo, 'volumev3', 'GET', '/volumes/%s' % volume['id']).json()['volume']


def server_by_name(demo, name):
    found = call(demo, 'compute', 'GET', '/servers/detail?name=%%5E%s%%24' % name).json()['servers']
    return found[0] if found else None


def server_gone(demo, server_id):
    return call(demo, 'compute', 'GET', '/servers/%s' % server_id, expect=(200, 404)).status_code == 404


def wait_server_active(demo, server_id, seconds=180):
    def active():
        server = call(demo, 'compute', 'GET', '/servers/%s' % server_id).json()['server']
        if server['status'] == 'ERROR':
            raise SystemExit('server %s went to ERROR: %s' % (server['name'], server.get('fault')))
        return server['status'] == 'ACTIVE' and server['OS-EXT-STS:task_state'] is None
    wait('server %s to become ACTIVE' % server_id, active, seconds)


def seed_volume_servers(admin, demo, image):
    microversion = {'OpenStack-API-Version': 'compute 2.37'}
    # volume-backed: boots from its root volume (no image)
    root = ensure_volume(demo, VOLUME_BACKED + '-root', bootable=True)
    boot = server_by_name(demo, VOLUME_BACKED)
    if boot is not None and boot['status'] == 'ERROR':
        call(demo, 'compute', 'DELETE', '/servers/%s' % boot['id'], expect=(204,))
        wait('server %s in ERROR to be deleted' % VOLUME_BACKED, lambda: server_gone(demo, boot['id']), 120)
        wait_volume(demo, root['id'], ('available',))
        boot = None
    if boot is None:
        boot = call(demo, 'compute', 'POST', '/servers', expect=(202,), headers=microversion, json={'server': {
            'name': VOLUME_BACKED, 'flavorRef': '1', 'networks': 'none',
            'block_device_mapping_v2': [{'boot_index': 0, 'uuid': root['id'], 'source_type': 'volume',
                                         'destination_type': 'volume', 'delete_on_termination': False}]}}).json()['server']
        log('booting %s from volume %s' % (VOLUME_BACKED, root['id']))
    # image-backed, with a data volume attached
    data = ensure_volume(demo, WITH_DATA_VOLUME + '-disk')
    plain = server_by_name(demo, WITH_DATA_VOLUME)
    if plain is not None and plain['status'] == 'ERROR':
        call(demo, 'compute', 'DELETE', '/servers/%s' % plain['id'], expect=(204,))
        wait('server %s in ERROR to be deleted' % WITH_DATA_VOLUME, lambda: server_gone(demo, plain['id']), 120)
        plain = None
    if plain is None:
        plain = call(demo, 'compute', 'POST', '/servers', expect=(202,), headers=microversion, json={'server': {
            'name': WITH_DATA_VOLUME, 'imageRef': image['id'], 'flavorRef': '1', 'networks': 'none'}}).json()['server']
        log('booting %s' % WITH_DATA_VOLUME)
    wait_server_active(demo, boot['id'])
    wait_server_active(demo, plain['id'])
    if not data['attachments']:
        call(demo, 'compute', 'POST', '/servers/%s/os-volume_attachments' % plain['id'], expect=(200,),
             json={'volumeAttachment': {'volumeId': data['id']}})
        log('attaching %s to %s' % (data['name'], WITH_DATA_VOLUME))
    wait_volume(demo, root['id'], ('in-use',))
    wait_volume(demo, data['id'], ('in-use',))
    return [{'kind': 'volume-backed', 'id': boot['id'], 'name': VOLUME_BACKED,
             'volumes': [{'id': root['id'], 'name': root['name'], 'size': root['size']}]},
            {'kind': 'image-backed-with-data-volume', 'id': plain['id'], 'name': WITH_DATA_VOLUME,
             'volumes': [{'id': data['id'], 'name': data['name'], 'size': data['size']}]}]


def seed_network(demo, image):
    networks = call(demo, 'network', 'GET', '/v2.0/networks?name=%s' % NETWORK).json()['networks']
    if networks:
        network = networks[0]
    else:
        network = call(demo, 'network', 'POST', '/v2.0/networks', expect=(201,),
                       json={'network': {'name': NETWORK}}).json()['network']
        log('network %s created' % NETWORK)
    subnets = call(demo, 'network', 'GET', '/v2.0/subnets?network_id=%s' % network['id']).json()['subnets']
    if subnets:
        subnet = subnets[0]
    else:
        subnet = call(demo, 'network', 'POST', '/v2.0/subnets', expect=(201,), json={'subnet': {
            'name': NETWORK + '-v4', 'network_id': network['id'], 'ip_version': 4, 'cidr': SUBNET_CIDR,
            'gateway_ip': None, 'enable_dhcp': False}}).json()['subnet']
        log('subnet %s created' % SUBNET_CIDR)
    if call(demo, 'compute', 'GET', '/os-keypairs/%s' % KEY_NAME, expect=(200, 404)).status_code == 404:
        # 2.91 is the last microversion that makes the key itself; its private half is dropped unread
        call(demo, 'compute', 'POST', '/os-keypairs', expect=(200, 201),
             headers={'OpenStack-API-Version': 'compute 2.91'}, json={'keypair': {'name': KEY_NAME}})
        log('key pair %s created' % KEY_NAME)
    server = server_by_name(demo, NETWORK_SERVER)
    if server is not None and server['status'] == 'ERROR':
        call(demo, 'compute', 'DELETE', '/servers/%s' % server['id'], expect=(204,))
        wait('server %s in ERROR to be deleted' % NETWORK_SERVER, lambda: server_gone(demo, server['id']), 120)
        server = None
    if server is None:
        server = call(demo, 'compute', 'POST', '/servers', expect=(202,), json={'server': {
            'name': NETWORK_SERVER, 'imageRef': image['id'], 'flavorRef': '1', 'key_name': KEY_NAME,
            'security_groups': [{'name': 'default'}], 'networks': [{'uuid': network['id']}]}}).json()['server']
        log('booting %s on %s' % (NETWORK_SERVER, NETWORK))
    wait_server_active(demo, server['id'])
    return {'id': network['id'], 'name': NETWORK, 'subnetId': subnet['id'], 'cidr': SUBNET_CIDR,
            'server': {'id': server['id'], 'name': NETWORK_SERVER}}


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
    missing = {'compute', 'image', 'volumev3', 'block-storage'} - catalog
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
    with open(os.path.join(STATE, 'rig.json')) as f:
        rig = json.load(f)
    for vs in rig.get('volumeServers', []):
        s = call(demo, 'compute', 'GET', '/servers/%s' % vs['id']).json()['server']
        attached = sorted(v['id'] for v in s['os-extended-volumes:volumes_attached'])
        log('  %s  %-17s %s task_state=%s volumes %s' % (s['id'], s['name'], s['status'], s['OS-EXT-STS:task_state'],
                                                          ' '.join(attached)))
        if s['status'] != 'ACTIVE' or attached != sorted(v['id'] for v in vs['volumes']):
            raise SystemExit('volume server %s: %s, volumes %s' % (s['name'], s['status'], attached))
        for v in vs['volumes']:
            status = call(demo, 'volumev3', 'GET', '/volumes/%s' % v['id']).json()['volume']['status']
            if status != 'in-use':
                raise SystemExit('volume %s is %s, not in-use' % (v['name'], status))
    network = rig.get('network')
    if not network:
        raise SystemExit('rig.json has no network: it predates the isolated network (seed makes it)')
    s = call(demo, 'compute', 'GET', '/servers/%s' % network['server']['id'], expect=(200, 404))
    if s.status_code == 404 or s.json()['server']['status'] != 'ACTIVE':
        raise SystemExit('network server %s is missing or not ACTIVE' % network['server']['name'])
    log('  %s  %-17s ACTIVE on %s' % (network['server']['id'], network['server']['name'], network['name']))
    log('check ok: demo token (%d chars), catalog %s, %d servers ACTIVE' % (len(token), ' '.join(sorted(catalog)),
                                                                            len(servers)))


def cmd_admin_token():
    print(session('admin', 'admin').get_token())


COMMANDS = {'admin-token': cmd_admin_token, 'keystone': cmd_keystone, 'compute-up': cmd_compute_up, 'hypervisor-up': cmd_hypervisor_up,
            'volume-up': cmd_volume_up,
            'seed': cmd_seed, 'check': cmd_check}

if __name__ == '__main__':
    try:
        COMMANDS[sys.argv[2]]()
    except ApiError as e:
        raise SystemExit(str(e))
