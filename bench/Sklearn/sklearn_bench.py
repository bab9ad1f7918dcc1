#!/usr/bin/python3
"""scikit-learn side of the sklearn benchmark (run by run.sh with Debian's python3-sklearn).

Trains the three benchmark models, saves them with joblib into OUT_DIR, writes the 1,000 input rows, and times
scikit-learn's own predict on one row and on 1,000 rows. ServeSharp is then timed on the same files and rows.

usage: sklearn_bench.py OUT_DIR SECONDS_PER_CASE
"""
import json
import os
import sys
import time
import warnings

import joblib
import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore")
out = sys.argv[1]
seconds = float(sys.argv[2])
os.makedirs(out, exist_ok=True)

X, y = make_classification(n_samples=5000, n_features=20, n_informative=10, n_classes=3, random_state=0)
rows = X[:1000].copy()
np.savetxt(os.path.join(out, "rows.csv"), rows, delimiter=",", fmt="%.17g")

models = {
    "scaler_logreg": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
    "random_forest_100": RandomForestClassifier(n_estimators=100, max_depth=10, random_state=0),
    "hist_gradient_boosting": HistGradientBoostingClassifier(max_iter=100, random_state=0),
}


def timed(fn):
    """Mean seconds per call: calls fn repeatedly for about `seconds` after a short warm-up."""
    for _ in range(3):
        fn()
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and n >= 5:
            return elapsed / n, n


results = {}
for name, model in models.items():
    model.fit(X, y)
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    joblib.dump(model, os.path.join(d, "model.joblib"))
    one = rows[:1]
    single, n1 = timed(lambda: model.predict(one))
    batch, n2 = timed(lambda: model.predict(rows))
    results[name] = {"single_row_us": single * 1e6, "single_row_calls": n1,
                     "rows_1000_us": batch * 1e6, "rows_1000_calls": n2,
                     "predictions": model.predict(rows).tolist()}
    print(f"sklearn {name}: 1 row {single * 1e6:.1f} us, 1000 rows {batch * 1e6:.1f} us", flush=True)

with open(os.path.join(out, "sklearn_results.json"), "w") as f:
    json.dump({"version": sklearn.__version__, "models": results}, f)
