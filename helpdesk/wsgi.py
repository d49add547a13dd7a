import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

application = get_wsgi_application()

# What Django loaded to start (apps, models, settings, modules) lives as long as the process: keep it out of
# the collector's full passes. Each full pass walked all of it, about 50 ms, and fell on one request in
# thirty of the busiest pages, which set their 95th percentile (BENCHMARKS.md).
gc.freeze()
