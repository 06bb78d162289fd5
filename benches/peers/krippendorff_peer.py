# Peer timing for benches/agreement.rs: python krippendorff 0.9 (pip install krippendorff numpy),
# interval alpha on 10^5 units x 10 coders:  python3 benches/peers/krippendorff_peer.py
import time
import numpy as np
import krippendorff

rng = np.random.default_rng(3)
t = rng.normal(size=(100_000, 1))
x = np.clip(np.round(4 + t + rng.normal(scale=0.8, size=(100_000, 10))), 1, 7)
start = time.perf_counter()
a = krippendorff.alpha(reliability_data=x.T, level_of_measurement="interval")
print(f"krippendorff.alpha interval 1e5 x 10: {time.perf_counter() - start:.3f} s (alpha {a:.4f})")
