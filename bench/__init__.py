"""The benchmark: `manage.py bench` loads a large organisation into its own database and measures the pages."""
