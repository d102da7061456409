"""Scoring files without Kafka (``interchange eval``): rows read from and written to CSV, JSON
Lines, Parquet and Avro files a chunk at a time, typed by a model's signature.
"""
