"""Train, publish and generate: the model the Kafka Streams example embeds.

Fits a gradient-boosted classifier on iris, converts it to PMML and publishes it (Avro subjects
``<name>-input`` / ``<name>-output`` and the model topic), then writes the same estimator as a
Java class into this Maven project with the published version's lineage beside it:

    python examples/kafka-streams/generate.py --name iris-streams
    mvn -q -f examples/kafka-streams package
    java -cp "examples/kafka-streams/target/classes:examples/kafka-streams/target/lib/*" interchange.streams.ScoringApp \
        bootstrap.servers=127.0.0.1:9092 schema.registry.url=http://127.0.0.1:8081/apis/ccompat/v7

Client settings come from the usual INTERCHANGE_* variables / config file (``interchange.kafka.config.load_config``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from sklearn.datasets import load_iris
from sklearn.ensemble import GradientBoostingClassifier

import interchange
from interchange.kafka.config import load_config
from interchange.resources import avro_schema

PROJECT = Path(__file__).resolve().parent


def iris():  # type: ignore[no-untyped-def]
    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = [c.replace(" (cm)", "").replace(" ", "_") for c in X.columns]
    return X, y.to_numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="iris-streams", help="model name (subjects <name>-input / <name>-output)")
    parser.add_argument("--project", type=Path, default=PROJECT, help="the Maven project to write the class into")
    parser.add_argument("--trees", type=int, default=50, help="boosting stages per class")
    args = parser.parse_args()

    X, y = iris()
    estimator = GradientBoostingClassifier(n_estimators=args.trees, max_depth=3, random_state=0).fit(X, y)
    published = interchange.publish(interchange.convert(estimator, "pmml", sample=X), name=args.name, config=load_config())
    generated = interchange.codegen(estimator, "java", sample=X, class_name="Model", package="interchange.streams.model")

    source = args.project / "src/main/java/interchange/streams/model/Model.java"
    source.parent.mkdir(parents=True, exist_ok=True)
    generated.save(source)
    tests = args.project / "src/test/java/interchange/streams/model/ModelTest.java"
    tests.parent.mkdir(parents=True, exist_ok=True)
    tests.write_text(generated.test_source())
    lineage = {
        "name": published.name,
        "version": str(published.version),
        "format": published.format,
        "sha256": published.sha256,
        "generated_sha256": hashlib.sha256(generated.source.encode()).hexdigest(),
    }
    resources = args.project / "src/main/resources/interchange-model.properties"
    resources.parent.mkdir(parents=True, exist_ok=True)
    resources.write_text("".join(f"{k}={v}\n" for k, v in lineage.items()))
    # the dead-letter record the Python scorer writes, so both dead-letter topics read alike
    (resources.parent / "dead_letter.avsc").write_text(json.dumps(avro_schema("dead_letter"), indent=2) + "\n")
    print(json.dumps({"class": str(source), "test": str(tests), **lineage}))


if __name__ == "__main__":
    main()
