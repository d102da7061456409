"""What a running scorer shows of itself: Prometheus metrics (``--metrics-port``), the periodic
report to the metrics topic (lag, live versions) and the one-line terminal status.
"""
