"""Serve an upstream WSGI application factory with the standard library's wsgiref server.

usage: wsgi_serve.py HOST PORT module:factory

Stands in for Apache/uwsgi, which the tier does not install. Keystone and Placement run under it.
Single-threaded on purpose: with a thread per request Keystone hit "sqlite3.OperationalError: database is
locked" on writes. One request at a time, one request per connection (HTTP/1.0, Connection: close).
The services find their configuration through their own environment variables
(OS_KEYSTONE_CONFIG_FILES, OS_PLACEMENT_CONFIG_DIR).
"""
import importlib
import sys
import wsgiref.simple_server


class _Server(wsgiref.simple_server.WSGIServer):
    request_queue_size = 128


class _Handler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, format, *args):
        # one line per request in the .out file, like an access log
        sys.stderr.write('%s "%s"\n' % (self.log_date_time_string(), format % args))


def main():
    host, port, target = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sys.argv = sys.argv[:1]  # the factories parse sys.argv through oslo.config
    module, factory = target.split(':')
    app = getattr(importlib.import_module(module), factory)()
    server = wsgiref.simple_server.make_server(host, port, app, server_class=_Server, handler_class=_Handler)
    sys.stderr.write('serving %s on http://%s:%d/\n' % (target, host, port))
    sys.stderr.flush()
    server.serve_forever()


if __name__ == '__main__':
    main()
