"""The batch layer: a topic's Avro events landed in date-partitioned Parquet, exactly once.

``Sink`` decodes each event with its writer schema, adds the Kafka coordinates as columns and
commits files whose names carry the offsets they hold, so a restart after any crash resumes
exactly where the committed files end. pandas, pyarrow or DuckDB read the result.
"""

from __future__ import annotations

from interchange.kafka.sink.files import ERRORS_DIR, file_meta, topic_dir
from interchange.kafka.sink.sink import Sink, SinkOptions, SinkStats

__all__ = ["Sink", "SinkOptions", "SinkStats", "ERRORS_DIR", "file_meta", "topic_dir"]
