"""A recording HTTP proxy in front of the tier's Keystone and Nova, for the module suite (Module.Tests.ps1).

usage: compute_proxy.py RECORD_FILE [--max-microversion 2.44] [--idle-task-state]

Listens on two free ports of 127.0.0.1 and prints one line, then serves until stdin closes:
    identity http://127.0.0.1:<p1>/v3 compute http://127.0.0.1:<p2>/v2.1

identity  forwards everything to Keystone (127.0.0.1:5000) unchanged, except that in the catalog of a new
          token the compute endpoints point at the compute port of this proxy. So a client that connects
          through <p1> talks to the real Nova through <p2> and to the real Glance directly.
compute   forwards everything to Nova (127.0.0.1:8774) and writes one JSON line per exchange to
          RECORD_FILE: the request's microversion headers, the status, Location and Content-Type, and the
          body of POST .../action answers. Both options below change Nova's answers, and only these:
  --max-microversion X   behave like a Nova whose newest microversion is X: a request for a newer one gets
                         the 406 that real Nova gives for versions it does not have (same body and headers as
                         the tier's Nova answers for "compute 2.999", see README "API record"); "latest"
                         is sent on as X. Nothing reaches Nova then, so nothing is created.
  --idle-task-state      GET /servers/{id} answers show "OS-EXT-STS:task_state": null, as a client would see
                         them if another client started a snapshot right after its GET: the next createImage
                         then meets the real 409 of the real Nova.

Only the standard library. The tier's services answer on 127.0.0.1 only; so does this.
"""
import http.client
import http.server
import json
import re
import sys
import threading

KEYSTONE = ('127.0.0.1', 5000)
NOVA = ('127.0.0.1', 8774)
HOP_BY_HOP = {'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
              'content-length'}
SERVER_PATH = re.compile(r'^/v2\.1(/[0-9a-f]{32})?/servers/[0-9a-fA-F-]{36}$')


def parse_args(argv):
    options = {'record': argv[1], 'max': None, 'idle': False}
    rest = argv[2:]
    while rest:
        word = rest.pop(0)
        if word == '--max-microversion':
            options['max'] = rest.pop(0)
        elif word == '--idle-task-state':
            options['idle'] = True
        else:
            raise SystemExit('unknown option %s' % word)
    return options


def version_tuple(text):
    major, minor = text.split('.')
    return int(major), int(minor)


def requested_microversion(headers):
    value = headers.get('OpenStack-API-Version')
    if value:
        for part in value.split(','):
            pieces = part.strip().split(None, 1)
            if len(pieces) == 2 and pieces[0].lower() == 'compute':
                return pieces[1].strip()
    legacy = headers.get('X-OpenStack-Nova-API-Version')
    return legacy.strip() if legacy else None


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.0'
    upstream = None          # (host, port)
    options = None
    compute_url = None       # set on the identity handler class
    record_lock = threading.Lock()

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.relay()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def read_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def forward(self, body, headers):
        connection = http.client.HTTPConnection(*self.upstream, timeout=120)
        try:
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            return response.status, response.reason, response.getheaders(), response.read()
        finally:
            connection.close()

    def answer(self, status, reason, headers, body):
        self.send_response_only(status, reason)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Connection', 'close')
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def outgoing_headers(self):
        return {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP | {'host'}}


class IdentityProxy(Proxy):
    upstream = KEYSTONE

    def relay(self):
        body = self.read_body()
        status, reason, headers, answer = self.forward(body, self.outgoing_headers())
        if self.command == 'POST' and self.path.split('?')[0].rstrip('/').endswith('/auth/tokens') and status == 201:
            token = json.loads(answer)
            for service in token.get('token', {}).get('catalog', []):
                if service.get('type') == 'compute':
                    for endpoint in service.get('endpoints', []):
                        endpoint['url'] = self.compute_url
            answer = json.dumps(token).encode('utf-8')
        self.answer(status, reason, headers, answer)


class ComputeProxy(Proxy):
    upstream = NOVA

    def relay(self):
        body = self.read_body()
        headers = self.outgoing_headers()
        asked = requested_microversion(self.headers)
        limit = self.options['max']
        entry = {'method': self.command, 'path': self.path, 'microversion': asked}
        if limit and asked:
            if asked.lower() == 'latest':
                for name in list(headers):
                    if name.lower() in ('openstack-api-version', 'x-openstack-nova-api-version'):
                        del headers[name]
                headers['OpenStack-API-Version'] = 'compute ' + limit
            elif re.match(r'^\d+\.\d+$', asked) and version_tuple(asked) > version_tuple(limit):
                message = 'Version %s is not supported by the API. Minimum is 2.1 and maximum is %s.' % (asked, limit)
                answer = json.dumps({'computeFault': {'code': 406, 'message': message}}).encode('utf-8')
                self.record(entry, 406, {'Content-Type': 'application/json; charset=UTF-8'}, answer, 'proxy')
                self.answer(406, 'Not Acceptable', [
                    ('Content-Type', 'application/json; charset=UTF-8'),
                    ('OpenStack-API-Version', 'compute ' + asked),
                    ('X-OpenStack-Nova-API-Version', asked),
                    ('Vary', 'OpenStack-API-Version'),
                    ('Vary', 'X-OpenStack-Nova-API-Version')], answer)
                return
        status, reason, answer_headers, answer = self.forward(body, headers)
        if self.options['idle'] and self.command == 'GET' and status == 200 and SERVER_PATH.match(self.path.split('?')[0]):
            document = json.loads(answer)
            entry['task_state_seen'] = document['server'].get('OS-EXT-STS:task_state')
            document['server']['OS-EXT-STS:task_state'] = None
            answer = json.dumps(document).encode('utf-8')
        self.record(entry, status, dict(answer_headers), answer, 'nova')
        self.answer(status, reason, answer_headers, answer)

    def record(self, entry, status, headers, body, answered_by):
        entry['status'] = status
        entry['answeredBy'] = answered_by
        lower = {k.lower(): v for k, v in headers.items()}
        entry['location'] = lower.get('location')
        entry['contentType'] = lower.get('content-type')
        entry['responseMicroversion'] = lower.get('openstack-api-version')
        if self.path.split('?')[0].endswith('/action'):
            entry['body'] = body.decode('utf-8', 'replace')
        with self.record_lock:
            with open(self.options['record'], 'a', encoding='utf-8') as out:
                out.write(json.dumps(entry) + '\n')


def main():
    options = parse_args(sys.argv)
    ComputeProxy.options = options
    compute = http.server.ThreadingHTTPServer(('127.0.0.1', 0), ComputeProxy)
    identity_class = type('BoundIdentityProxy', (IdentityProxy,), {
        'options': options, 'compute_url': 'http://127.0.0.1:%d/v2.1' % compute.server_address[1]})
    identity = http.server.ThreadingHTTPServer(('127.0.0.1', 0), identity_class)
    for server in (compute, identity):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print('identity http://127.0.0.1:%d/v3 compute http://127.0.0.1:%d/v2.1'
          % (identity.server_address[1], compute.server_address[1]), flush=True)
    sys.stdin.read()   # until the test closes our stdin (or goes away)
    for server in (compute, identity):
        server.shutdown()


if __name__ == '__main__':
    main()
