"""Peak memory and speed of decision_function on N x 121 rows for one score_batch_size.

Usage (from the repository root): python benchmarks/screening/performance/score_chunk_memory.py 2000000 16384
"""
import sys, time, numpy as np
sys.path.insert(0, "benchmarks")
from test_perf import peak_rss_increase
from pyod_efficientgan import EfficientGAN
rng = np.random.default_rng(0)
train = rng.random((20000, 121), dtype=np.float32)
gan = EfficientGAN(epochs=1, random_state=0).fit(train)
rows = np.random.default_rng(2).random((int(sys.argv[1]), 121), dtype=np.float32)
for bs in [int(sys.argv[2])]:
    gan.score_batch_size = bs
    gan.decision_function(rows[:1000])
    added = peak_rss_increase(gan.decision_function, rows)
    t = time.perf_counter(); gan.decision_function(rows); dt = time.perf_counter() - t
    print(bs, round(added / 2**20, 1), "MiB", round(len(rows) / dt), "rows/s", flush=True)
