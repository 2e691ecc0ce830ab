"""gunicorn settings: `gunicorn -c negotiations/gunicorn_conf.py negotiations.wsgi`.

WEB_CONCURRENCY processes (default 2 x cores + 1) of WEB_THREADS threads each (default 1:
sync workers; more: gthread). Picked with `make load` on 2 cores (README "Benchmarks"):
4 sync processes, 3 x 4 and 2 x 8 threads served the same requests per second within
the noise (Parley's requests spend their time in Python, and PostgreSQL shares the
cores), but the threaded ones had 2-8x more requests over wrk's 10 s timeout: a gthread
process accepts connections while its threads are busy, so a request can wait behind a
busy process while another is free, where sync workers take requests from the listen
queue in arrival order. Threads pay off where requests wait on I/O (a database on another
host): then raise WEB_THREADS. Each thread keeps its own database connection
(DB_CONN_MAX_AGE, negotiations/db_settings.py): up to processes x threads from the web.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("WEB_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# A request running longer than this is killed with its worker (and logged).
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = int(os.environ.get("WEB_KEEPALIVE", "5"))
max_requests = 2000  # recycle workers now and then; jitter spreads the restarts
max_requests_jitter = 200
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
