import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")


def reference_cases():
    """The public reference cases 01-32 the Rust tests copied into tests/fixtures/."""
    out = []
    for dirpath, _, files in os.walk(FIXTURES):
        name = os.path.basename(dirpath)
        m = re.match(r"^(\d\d)-", name)
        if "case.json" in files and m and 1 <= int(m.group(1)) <= 32:
            out.append(dirpath)
    return sorted(out, key=os.path.basename)
