"""Comparison of a result with a reference case's ``expected`` values under its tolerances and
``compare`` rules, as /work/shared/conformance/check.py (the project's own checker) does it."""

import itertools
import math


def strip_path(path):
    return ".".join(p for p in path if not p.startswith("["))


class Comparer:
    def __init__(self, case):
        self.tol = case.get("tolerance", {}) or {}
        c = case.get("compare", {}) or {}
        self.match_by = {k: ([v] if isinstance(v, str) else list(v))
                         for k, v in (c.get("match_by") or {}).items()}
        self.symmetric = set(c.get("symmetric_ops") or [])
        self.null_or_zero = set(c.get("null_or_zero") or [])
        self.allowed = c.get("allowed") or {}
        self.ignore = set(c.get("ignore") or [])
        self.failures = []
        self.worst = None  # (ratio, diff, tol, path)
        self.n_values = 0

    def tolerance(self, key):
        parts = key.split(".")
        for i in range(len(parts)):
            k = ".".join(parts[i:])
            if k in self.tol:
                return self._parse_tol(self.tol[k])
        return self._parse_tol(self.tol.get("default", 1e-6))

    @staticmethod
    def _parse_tol(t):
        if isinstance(t, dict):
            return float(t.get("abs", 0.0)), float(t.get("rel", 0.0))
        return float(t), 0.0

    def fail(self, path, msg):
        self.failures.append(f"{'.'.join(path) or '<root>'}: {msg}")

    def compare(self, exp, act, path=()):
        key = strip_path(path)
        if key in self.ignore:
            return
        if key in self.allowed:
            self.n_values += 1
            vals = self.allowed[key]
            if isinstance(act, bool) or not isinstance(act, (int, float)):
                ok = act is not None and not isinstance(act, bool) and act in vals
            else:
                ok = any(isinstance(v, (int, float)) and abs(act - v) <= 1e-9 for v in vals)
            if not ok:
                self.fail(path, f"got {act!r}, allowed {vals}")
            return
        if isinstance(exp, dict):
            if not isinstance(act, dict):
                return self.fail(path, f"expected an object, got {type(act).__name__}")
            for k, v in exp.items():
                if strip_path(path + (k,)) in self.ignore:
                    continue
                if k not in act:
                    self.fail(path + (k,), "missing key")
                    continue
                self.compare(v, act[k], path + (k,))
            return
        if isinstance(exp, list):
            if not isinstance(act, list):
                return self.fail(path, f"expected an array, got {type(act).__name__}")
            if key in self.match_by:
                return self.compare_rows(exp, act, path, self.match_by[key])
            if len(exp) != len(act):
                return self.fail(path, f"length {len(act)}, expected {len(exp)}")
            for i, (e, a) in enumerate(zip(exp, act)):
                self.compare(e, a, path + (f"[{i}]",))
            return
        if exp is None:
            self.n_values += 1
            if act is None:
                return
            if key in self.null_or_zero and isinstance(act, (int, float)) \
                    and not isinstance(act, bool) and act == 0:
                return
            return self.fail(path, f"expected null, got {act!r}")
        if isinstance(exp, bool):
            self.n_values += 1
            if act is not exp:
                self.fail(path, f"expected {exp!r}, got {act!r}")
            return
        if isinstance(exp, (int, float)):
            self.n_values += 1
            if act is None and key in self.null_or_zero and exp == 0:
                return
            if isinstance(act, bool) or not isinstance(act, (int, float)):
                return self.fail(path, f"expected a number, got {act!r}")
            if not math.isfinite(act):
                return self.fail(path, f"non-finite number {act!r}")
            diff = abs(act - exp)
            a_tol, r_tol = self.tolerance(key)
            tol = max(a_tol, r_tol * abs(exp))
            ratio = diff / tol if tol > 0 else (0.0 if diff == 0 else math.inf)
            if self.worst is None or ratio > self.worst[0]:
                self.worst = (ratio, diff, tol, ".".join(path))
            if diff > tol:
                self.fail(path, f"got {act!r}, expected {exp!r} (|diff| {diff:.3g} > tol {tol:.3g})")
            return
        if isinstance(exp, str):
            self.n_values += 1
            if act != exp:
                self.fail(path, f"expected {exp!r}, got {act!r}")
            return
        self.fail(path, f"unsupported expected value {exp!r}")

    def compare_rows(self, exp, act, path, keys):
        def ident(row):
            return tuple(row.get(k) for k in keys) if isinstance(row, dict) else None
        index = {}
        for r in act:
            i = ident(r)
            if i is not None and i not in index:
                index[i] = r
        for e in exp:
            i = ident(e)
            label = ",".join(f"{k}={v}" for k, v in zip(keys, i))
            a = index.get(i)
            if a is None and "op" in keys and e.get("op") in self.symmetric \
                    and "lhs" in keys and "rhs" in keys:
                sw = dict(e, lhs=e["rhs"], rhs=e["lhs"])
                a = index.get(ident(sw))
                if a is not None:
                    e = sw
            if a is None:
                self.fail(path, f"no row with {label}")
                continue
            self.compare(e, a, path + (f"[{label}]",))


def get_path(obj, dotted):
    for p in dotted.split("."):
        if not isinstance(obj, dict) or p not in obj:
            return None
        obj = obj[p]
    return obj


def set_path(obj, dotted, value):
    parts = dotted.split(".")
    for p in parts[:-1]:
        obj = obj[p]
    obj[parts[-1]] = value


def is_matrix(m):
    return isinstance(m, list) and m and all(isinstance(r, list) for r in m) and \
        all(isinstance(v, (int, float)) and not isinstance(v, bool) for r in m for v in r)


def align_factors(spec, expected, actual):
    """Permutes and sign-flips the actual factor columns to the expected loadings (maximal
    total |Tucker congruence|), and the listed vectors and matrices with them."""
    lp = spec["loadings"]
    E, A = get_path(expected, lp), get_path(actual, lp)
    assert is_matrix(A), f"{lp}: missing or not a numeric matrix"
    assert len(A) == len(E) and all(len(r) == len(E[0]) for r in A), f"{lp}: shape differs"
    k = len(E[0])

    def col(M, j):
        return [r[j] for r in M]

    def cong(a, b):
        na, nb = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(x * x for x in b))
        return sum(x * y for x, y in zip(a, b)) / (na * nb) if na > 0 and nb > 0 else 0.0
    C = [[cong(col(A, i), col(E, j)) for j in range(k)] for i in range(k)]
    best = max(itertools.permutations(range(k)), key=lambda p: sum(abs(C[p[j]][j]) for j in range(k)))
    signs = [1.0 if C[best[j]][j] >= 0 else -1.0 for j in range(k)]
    set_path(actual, lp, [[r[best[j]] * signs[j] for j in range(k)] for r in A])
    for vp in spec.get("vectors", []):
        v = get_path(actual, vp)
        if isinstance(v, list) and len(v) == k:
            set_path(actual, vp, [v[best[j]] for j in range(k)])
    for mp in spec.get("matrices", []):
        M = get_path(actual, mp)
        if is_matrix(M) and len(M) == k and all(len(r) == k for r in M):
            set_path(actual, mp, [[M[best[i]][best[j]] * signs[i] * signs[j] for j in range(k)]
                                  for i in range(k)])


def check(case, actual):
    """Returns (failures, number of values compared, worst (ratio, diff, tol, path))."""
    spec = (case.get("compare") or {}).get("align_factors")
    if spec:
        align_factors(spec, case["expected"], actual)
    c = Comparer(case)
    c.compare(case["expected"], actual)
    return c.failures, c.n_values, c.worst
