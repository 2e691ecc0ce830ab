"""gunicorn settings: `gunicorn -c negotiations/gunicorn_conf.py negotiations.wsgi`.

Threaded workers (gthread): WEB_CONCURRENCY processes x WEB_THREADS threads each. A
request spends much of its time waiting for PostgreSQL, so a few threads per process
keep the cores busy without a process (and its memory) per concurrent request; each
thread keeps its own database connection (DB_CONN_MAX_AGE, negotiations/db_settings.py),
so PostgreSQL sees at most processes x threads connections from the web. The defaults
were picked with `make load` on 2 cores (README "Benchmarks"): one process per core
plus one, 4 threads each. Keep-alive connections are held by the threads' event loop,
not by a blocked worker.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
# A request running longer than this is killed with its worker (and logged).
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = int(os.environ.get("WEB_KEEPALIVE", "5"))
# Connections queued beyond every thread's: the kernel's listen backlog takes the rest.
worker_connections = int(os.environ.get("WEB_CONNECTIONS", "1000"))
max_requests = 2000  # recycle workers now and then; jitter spreads the restarts
max_requests_jitter = 200
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
