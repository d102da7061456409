"""Generated Java classes compiled and tested by Maven: JUnit 5 tests replaying verification cases.

One Maven project holds a class and its generated JUnit test per representative model (text
inputs through imputers, scalers and one-hot encoding; forests, boosting, a network, kernels,
neighbours, clusters, naive Bayes, an isolation forest, and a forest too large for inlined
code). One ``mvn test`` run compiles and runs them all; Maven downloads what it lacks into
~/.m2 on first use. Skipped only where ``mvn`` or ``java`` is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingRegressor,
    IsolationForest,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import KBinsDiscretizer, Normalizer, PolynomialFeatures
from sklearn.svm import SVC
from xgboost import XGBClassifier

from interchange.codegen import codegen
from tests.roundtrip.test_matrix import _data, _wrap
from tests.unit.codegen.python.test_codegen_python import ordinal_pipeline, text_labelled

pytestmark = pytest.mark.skipif(
    shutil.which("mvn") is None or shutil.which("java") is None,
    reason="the generated-Java test needs Maven (mvn) and a JDK (java) on PATH; install them to run it",
)

JUNIT = "5.14.1"
POM = f"""<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>interchange.codegen</groupId>
  <artifactId>generated-test</artifactId>
  <version>1.0</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <version>{JUNIT}</version>
      <scope>test</scope>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.14.0</version></plugin>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-surefire-plugin</artifactId><version>3.5.3</version></plugin>
    </plugins>
  </build>
</project>
"""

# (class name, data kind, dataset, estimator factory)
MODELS: list[tuple[str, str, str, Any]] = [
    ("MixedLogistic", "multiclass", "mixed", lambda: LogisticRegression(max_iter=500)),
    ("MixedForest", "multiclass", "mixed", lambda: RandomForestClassifier(10, max_depth=6, random_state=0)),
    ("BoostedBinary", "binary", "numeric", lambda: GradientBoostingClassifier(n_estimators=20, random_state=0)),
    ("HistRegressor", "regression", "mixed", lambda: HistGradientBoostingRegressor(max_iter=20, random_state=0)),
    ("Xgb", "multiclass", "numeric", lambda: XGBClassifier(n_estimators=10, max_depth=3)),
    ("Network", "multiclass", "numeric", lambda: MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0)),
    ("KernelMachine", "multiclass", "numeric", lambda: SVC()),
    ("Neighbours", "multiclass", "mixed", lambda: KNeighborsClassifier(weights="distance")),
    ("NeighboursMedian", "regression", "numeric", lambda: KNeighborsRegressor()),
    ("Clusters", "multiclass", "numeric", lambda: KMeans(3, n_init=3, random_state=0)),
    ("Bayes", "multiclass", "numeric", lambda: GaussianNB()),
    ("Outliers", "multiclass", "mixed", lambda: IsolationForest(n_estimators=20, random_state=0)),
    (
        "Projected",
        "binary",
        "numeric",
        lambda: make_pipeline(Normalizer(), PolynomialFeatures(2), PCA(4), LogisticRegression(max_iter=300)),
    ),
    (
        "Binned",
        "regression",
        "numeric",
        lambda: make_pipeline(KBinsDiscretizer(4, encode="onehot-dense", quantile_method="averaged_inverted_cdf"), Ridge()),
    ),
]


def _large_forest() -> tuple[Any, Any]:
    """About 100 trees of ~600 nodes: far past what inlined if/else code or array initialisers could hold."""
    X, y = _data("regression", "numeric")
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    big = pd.DataFrame(rng.normal(size=(1500, X.shape[1])), columns=X.columns)
    target = big.to_numpy() @ rng.normal(size=X.shape[1]) + rng.normal(size=1500)
    return RandomForestRegressor(100, random_state=0).fit(big, target), big


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_generated_java_passes_its_junit_tests(tmp_path: Path) -> None:
    main = tmp_path / "src" / "main" / "java" / "generated"
    test = tmp_path / "src" / "test" / "java" / "generated"
    main.mkdir(parents=True)
    test.mkdir(parents=True)
    (tmp_path / "pom.xml").write_text(POM)
    fitted = []
    for name, kind, dataset, factory in MODELS:
        X, y = _data(kind, dataset)
        fitted.append((name, _wrap(factory(), dataset).fit(X.iloc[:200], y[:200]), X))
    fitted.append(("LargeForest", *_large_forest()))
    fitted.append(("OrdinalText", *ordinal_pipeline()))
    fitted.append(("TextLabels", *text_labelled()))
    for name, estimator, X in fitted:
        generated = codegen(estimator, "java", sample=X.iloc[:200], class_name=name, package="generated")
        generated.save(main / generated.filename)
        (test / f"{name}Test.java").write_text(generated.test_source())
    offline = ["-o"] if os.environ.get("INTERCHANGE_MAVEN_OFFLINE") else []
    run = subprocess.run(
        ["mvn", "-B", "-q", *offline, "test", "-Dsurefire.printSummary=true"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-6000:]
    reports = list((tmp_path / "target" / "surefire-reports").glob("TEST-*.xml"))
    assert len(reports) == len(fitted)
    counts = [re.search(r'tests="(\d+)" errors="(\d+)" skipped="(\d+)" failures="(\d+)"', r.read_text()) for r in reports]
    assert all(c is not None and c.groups() == ("3", "0", "0", "0") for c in counts), counts


@pytest.mark.filterwarnings("ignore::FutureWarning")  # SVC(probability=True) is deprecated in scikit-learn 1.9
def test_svc_probabilities_are_generated() -> None:
    """libsvm's coupled Platt probabilities (codegen/java/models/platt.py; JUnit runs them in test_wscores_writers.py)."""
    X, y = _data("binary", "numeric")
    estimator = SVC(kernel="poly", probability=True, random_state=0).fit(X.iloc[:200], y[:200])
    source = codegen(estimator, "java", sample=X.iloc[:50]).source
    assert "private static double[] svmProbabilities(" in source and "svmProbabilities(f, " in source


def test_cli_writes_class_and_test(tmp_path: Path) -> None:
    import joblib
    from typer.testing import CliRunner

    from interchange.cli import app

    X, y = _data("binary", "numeric")
    joblib.dump(LogisticRegression(max_iter=300).fit(X.iloc[:200], y[:200]), tmp_path / "model.joblib")
    X.iloc[:30].to_csv(tmp_path / "sample.csv", index=False)
    args = ["codegen", str(tmp_path / "model.joblib"), "-s", str(tmp_path / "sample.csv"), "--lang", "java"]
    args += ["--class-name", "Churn", "--package", "acme.models", "-o", str(tmp_path / "Churn.java")]
    result = CliRunner().invoke(app, [*args, "--test-output", str(tmp_path / "ChurnTest.java")])
    assert result.exit_code == 0, result.output
    source = (tmp_path / "Churn.java").read_text()
    assert source.startswith("package acme.models;") and "public final class Churn {" in source
    assert "public static double[] predict(double[] features)" in source and "public record Input(" in source
    assert "class ChurnTest {" in (tmp_path / "ChurnTest.java").read_text()
    bad = CliRunner().invoke(app, [*args[:4], "--lang", "cobol"])
    assert bad.exit_code == 1 and "cobol" in bad.output
