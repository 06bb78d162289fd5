# Whole-process peer for docs/performance.md: python krippendorff (pip install krippendorff numpy)
# reads the coders' CSV and computes interval alpha, as `trustscale krippendorff` does:
#   python3 benches/peers/krippendorff_csv.py /tmp/trustscale-perf-kripp.csv
import sys
import numpy as np
import krippendorff

x = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, usecols=range(1, 11))
a = krippendorff.alpha(reliability_data=x.T, level_of_measurement="interval")
print(f"{a:.10f}")
