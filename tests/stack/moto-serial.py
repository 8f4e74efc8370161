"""moto's server (what `moto_server -H HOST -p PORT` runs), answering one request at a time.

moto_server answers each request on its own thread, and moto's DynamoDB checks a ConditionExpression and writes
the item without a lock, so two racing conditional writes can both succeed where DynamoDB lets exactly one win.
The status store's compare-and-set tests race eight writers: this serialises the requests (connections are
still accepted concurrently). Usage: python3 moto-serial.py HOST PORT
"""
import os
import sys
import threading

from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

host, port = sys.argv[1], int(sys.argv[2])
os.environ.setdefault("MOTO_PORT", str(port))
app = DomainDispatcherApplication(create_backend_app)
one_at_a_time = threading.Lock()


def serial(environ, start_response):
    with one_at_a_time:
        # The whole body inside the lock: moto builds it in memory anyway.
        return list(app(environ, start_response))


run_simple(host, port, serial, threaded=True)
