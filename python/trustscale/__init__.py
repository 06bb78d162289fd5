"""trustscale: validate survey measures from pandas, with the numbers of the ``trustscale``
command line (R psych, lavaan, multilevel, lme4 to the digits they print).

Every analysis takes a pandas DataFrame (or a 2-D numpy array with ``columns=``, or the path of
a data file) and the command's options as keyword arguments, with the CLI's names (``--scale-min``
is ``scale_min``) and defaults, and returns a :class:`Result`:

>>> import pandas as pd, trustscale as ts
>>> df = ts.simulate(instrument="tblc", n=300, seed=7)
>>> r = ts.reliability(df, instrument="tblc")
>>> r.to_dict()["scales"][0]["alpha"]          # the contract JSON of `trustscale reliability --json`
>>> r.items                                     # a DataFrame

Bad data raise :class:`DataError` (a ``ValueError``) naming the row and column; warnings are issued
as :class:`TrustscaleWarning` and listed on ``result.warnings``. The computation runs in Rust with
the GIL released; the same seed gives the same numbers as the CLI.
"""

from __future__ import annotations

import io
import os
from typing import Any, Dict, List, Optional, Sequence, Union

from ._core import (
    DataError,
    InternalError,
    OptionError,
    Result,
    TrustscaleError,
    TrustscaleWarning,
    Warning_,
    _call,
    _is_frame,
)
from . import _trustscale as _native

__version__ = _native.version()

__all__ = [
    "reliability", "omega", "score", "efa", "parallel", "polychoric", "cfa", "icc", "rwg",
    "kappa", "krippendorff", "regress", "simulate", "power", "profile", "evaluate", "framework",
    "describe", "report", "Instrument", "Study", "Result", "DataError", "OptionError",
    "InternalError", "TrustscaleError", "TrustscaleWarning",
]

PathLike = Union[str, "os.PathLike[str]"]


def _data_words(command: str, data: Any) -> List[str]:
    """The command words: the data file as the positional argument when `data` is a path."""
    if isinstance(data, (str, os.PathLike)):
        return [command, os.fspath(data)]
    return [command]


def _frame_data(data: Any) -> Any:
    if data is None or isinstance(data, (str, os.PathLike)):
        return None
    return data


def _run(command: str, data: Any, columns, options: Dict[str, Any], cls=None,
         model: Optional[str] = None) -> "Result":
    options = {k: v for k, v in options.items()}
    js, warns, text = _call(_data_words(command, data), options, _frame_data(data), columns, model)
    return (cls or _RESULTS.get(command, Result))(command, js, warns, text)


# --------------------------------------------------------------------------- result classes
class ReliabilityResult(Result):
    """``reliability``: alpha, standardised alpha, lambda 6, omega and item statistics; with an
    instrument, one entry per subscale (``items`` then has a ``scale`` column)."""

    _main = ("items",)


class EfaResult(Result):
    """``efa``: loadings (items x factors), communalities, factor correlations, fit, KMO."""

    _main = ("loadings",)

    def _special_frames(self):
        import pandas as pd

        out = {}
        d = self._dict.get("result", self._dict)
        items = d.get("items")
        L = d.get("loadings")
        if isinstance(L, list) and L and isinstance(L[0], list):
            names = [f"F{j + 1}" for j in range(len(L[0]))]
            out["loadings"] = pd.DataFrame(L, index=items, columns=names)
            phi = d.get("factor_correlations")
            if isinstance(phi, list) and phi and isinstance(phi[0], list):
                out["factor_correlations"] = pd.DataFrame(phi, index=names, columns=names)
            cols = {k: d[k] for k in ("communalities", "uniquenesses") if isinstance(d.get(k), list)}
            if cols:
                out["communalities"] = pd.DataFrame(cols, index=items)
        return out


class PolychoricResult(Result):
    """``polychoric``: the correlation matrix ``rho`` and the thresholds."""

    _main = ("rho",)

    def _special_frames(self):
        import pandas as pd

        d = self._dict.get("result", self._dict)
        items = d.get("items")
        rho = d.get("rho")
        out = {}
        if isinstance(rho, list) and rho and isinstance(rho[0], list):
            out["rho"] = pd.DataFrame(rho, index=items, columns=items)
        th = d.get("thresholds")
        if isinstance(th, list) and th and isinstance(th[0], list):
            out["thresholds"] = pd.DataFrame(th, index=items).rename(columns=lambda j: f"t{j + 1}")
        return out


class ParallelResult(Result):
    """``parallel``: observed and simulated eigenvalues; the suggested numbers of factors and
    components."""

    _main = ("eigenvalues",)

    def _special_frames(self):
        import pandas as pd

        d = self._dict.get("result", self._dict)
        keys = [k for k in ("observed_pc", "observed_fa", "simulated_pc_mean", "simulated_pc_p95",
                            "simulated_fa_mean", "simulated_fa_p95") if isinstance(d.get(k), list)]
        if not keys:
            return {}
        n = len(d[keys[0]])
        return {"eigenvalues": pd.DataFrame({k: d[k] for k in keys if len(d[k]) == n},
                                            index=range(1, n + 1))}


class ScoreResult(Result):
    """``score``: one row per respondent, one column per subscale (``to_frame()``)."""

    _main = ("scores",)

    def _special_frames(self):
        import numpy as np
        import pandas as pd

        s = self._dict.get("scores", {})
        subs, ids, vals = s.get("subscales", []), s.get("ids", []), s.get("values", [])
        arr = np.array([np.nan if v is None else v for v in vals], dtype=float)
        arr = arr.reshape(len(ids), len(subs)) if subs else arr.reshape(len(ids), 0)
        idx = pd.Index(ids, name=self._dict.get("id_column", "row"))
        return {"scores": pd.DataFrame(arr, index=idx, columns=subs)}


class SimulateResult(Result):
    """``simulate``: the simulated responses (``to_frame()``, as the CLI's CSV)."""

    def _special_frames(self):
        import pandas as pd

        r = self._dict.get("responses")
        if isinstance(r, dict) and "csv" in r:
            return {"responses": pd.read_csv(io.StringIO(r["csv"]))}
        return {}

    def _headline(self):
        r = self._dict.get("responses") or self._dict.get("study") or {}
        return [f"{k}={v}" for k, v in r.items() if k != "csv"]


def _main_result(*names):
    return type("Result", (Result,), {"_main": names})


_RESULTS = {
    "reliability": ReliabilityResult,
    "efa": EfaResult,
    "polychoric": PolychoricResult,
    "parallel": ParallelResult,
    "score": ScoreResult,
    "simulate": SimulateResult,
    "omega": _main_result("scales", "groups"),
    "cfa": _main_result("parameters"),
    "icc": _main_result("icc"),
    "rwg": _main_result("groups"),
    "regress": _main_result("coefficients", "fixed"),
    "profile": _main_result("units", "leaders", "groups"),
    "evaluate": _main_result("scales"),
    "framework": _main_result("verdicts"),
}


# --------------------------------------------------------------------------- analyses
def reliability(data, *, columns: Optional[Sequence[str]] = None, items: Optional[str] = None,
                instrument: Optional[str] = None, scale: Optional[str] = None,
                form: Optional[str] = None, reverse: Sequence[str] = (),
                scale_min: Optional[float] = None, scale_max: Optional[float] = None,
                listwise: bool = False, id: Optional[str] = None, study: Optional[PathLike] = None,
                missing: Sequence[str] = (), ci: float = 0.95, bootstrap: Optional[int] = None,
                seed: int = 1, omega_factors: Optional[int] = None,
                ordinal: bool = False) -> ReliabilityResult:
    """Scale reliability (``trustscale reliability``): Cronbach's alpha with Feldt's (or a
    bootstrap) interval, standardised alpha, Guttman's lambda 6, average r, omega total and
    hierarchical, and item statistics (psych::alpha, pairwise).

    ``data``: a DataFrame, a 2-D array with ``columns=``, or a data file's path. Items come from
    ``items`` (``"A1:A5"``, ``"A1,A2"``), an ``instrument`` (every subscale, or ``scale``) or, for a
    DataFrame without either, every column. ``reverse`` items are keyed x -> scale_min +
    scale_max - x. ``ordinal=True`` adds ordinal alpha/omega."""
    return _run("reliability", data, columns, dict(
        items=items, instrument=instrument, scale=scale, form=form, reverse=reverse,
        scale_min=scale_min, scale_max=scale_max, listwise=listwise, id=id, study=study,
        missing=missing, ci=ci, bootstrap=bootstrap, seed=seed, omega_factors=omega_factors,
        ordinal=ordinal))


def omega(data, *, columns: Optional[Sequence[str]] = None, items: Optional[str] = None,
          instrument: Optional[str] = None, scale: Optional[str] = None,
          form: Optional[str] = None, reverse: Sequence[str] = (),
          scale_min: Optional[float] = None, scale_max: Optional[float] = None,
          listwise: bool = False, study: Optional[PathLike] = None, missing: Sequence[str] = (),
          factors: Optional[int] = None, whole: bool = False, cor: str = "pearson") -> Result:
    """McDonald's omega by Schmid-Leiman (``trustscale omega``; psych::omega): general and group
    loadings, omega total, hierarchical and per group factor. ``factors``: group factors
    (default 3); ``whole=True``: every selected item in one analysis instead of per subscale;
    ``cor``: ``pearson`` or ``polychoric``."""
    return _run("omega", data, columns, dict(
        items=items, instrument=instrument, scale=scale, form=form, reverse=reverse,
        scale_min=scale_min, scale_max=scale_max, listwise=listwise, study=study, missing=missing,
        factors=factors, whole=whole, cor=cor))


def score(data, *, columns: Optional[Sequence[str]] = None, items: Optional[str] = None,
          instrument: Optional[str] = None, scale: Optional[str] = None,
          form: Optional[str] = None, reverse: Sequence[str] = (),
          scale_min: Optional[float] = None, scale_max: Optional[float] = None,
          id: Optional[str] = None, study: Optional[PathLike] = None,
          missing: Sequence[str] = (), method: str = "mean",
          min_answered: float = 0.8) -> ScoreResult:
    """Subscale scores per respondent (``trustscale score``): the mean (``method="mean"``) or
    prorated sum (``"sum"``) of the answered items when at least ``min_answered`` of a
    subscale's items are answered. ``to_frame()`` is the score table."""
    return _run("score", data, columns, dict(
        items=items, instrument=instrument, scale=scale, form=form, reverse=reverse,
        scale_min=scale_min, scale_max=scale_max, id=id, study=study, missing=missing,
        method=method, min_answered=min_answered))


def efa(data, *, columns: Optional[Sequence[str]] = None, items: Optional[str] = None,
        instrument: Optional[str] = None, scale: Optional[str] = None, form: Optional[str] = None,
        reverse: Sequence[str] = (), scale_min: Optional[float] = None,
        scale_max: Optional[float] = None, listwise: bool = False,
        study: Optional[PathLike] = None, missing: Sequence[str] = (),
        factors: Optional[Union[int, str]] = None, extraction: str = "minres",
        rotation: str = "oblimin", cor: str = "pearson", cutoff: float = 0.3,
        random_starts: int = 0, seed: int = 1, iterations: int = 20) -> EfaResult:
    """Exploratory factor analysis (``trustscale efa``; psych::fa): ``extraction`` minres, pa or
    ml; ``rotation`` varimax, promax, oblimin, quartimin, geomin or none; ``factors`` a number
    or ``"parallel"`` (default: one per subscale, else parallel analysis). ``loadings`` is an
    items x factors DataFrame."""
    return _run("efa", data, columns, dict(
        items=items, instrument=instrument, scale=scale, form=form, reverse=reverse,
        scale_min=scale_min, scale_max=scale_max, listwise=listwise, study=study, missing=missing,
        factors=factors, extraction=extraction, rotation=rotation, cor=cor, cutoff=cutoff,
        random_starts=random_starts, seed=seed, iterations=iterations))


def parallel(data, *, columns: Optional[Sequence[str]] = None, items: Optional[str] = None,
             instrument: Optional[str] = None, scale: Optional[str] = None,
             form: Optional[str] = None, reverse: Sequence[str] = (),
             scale_min: Optional[float] = None, scale_max: Optional[float] = None,
             listwise: bool = False, study: Optional[PathLike] = None,
             missing: Sequence[str] = (), iterations: int = 20, seed: int = 1,
             cor: str = "pearson", resample: bool = False) -> ParallelResult:
    """Parallel analysis (``trustscale parallel``; psych::fa.parallel): how many factors and
    components to retain; ``eigenvalues`` is a DataFrame of the observed and simulated
    eigenvalues."""
    return _run("parallel", data, columns, dict(
        items=items, instrument=instrument, scale=scale, form=form, reverse=reverse,
        scale_min=scale_min, scale_max=scale_max, listwise=listwise, study=study, missing=missing,
        iterations=iterations, seed=seed, cor=cor, resample=resample))


def polychoric(data, *, columns: Optional[Sequence[str]] = None, items: Optional[str] = None,
               instrument: Optional[str] = None, scale: Optional[str] = None,
               form: Optional[str] = None, reverse: Sequence[str] = (),
               scale_min: Optional[float] = None, scale_max: Optional[float] = None,
               listwise: bool = False, study: Optional[PathLike] = None,
               missing: Sequence[str] = (), tetrachoric: bool = False,
               no_smooth: bool = False) -> PolychoricResult:
    """Polychoric (or ``tetrachoric=True``) correlations with thresholds (``trustscale
    polychoric``; psych::polychoric). ``rho`` is the correlation matrix as a DataFrame."""
    return _run("polychoric", data, columns, dict(
        items=items, instrument=instrument, scale=scale, form=form, reverse=reverse,
        scale_min=scale_min, scale_max=scale_max, listwise=listwise, study=study, missing=missing,
        tetrachoric=tetrachoric, no_smooth=no_smooth))


def cfa(data, model: Optional[str] = None, *, columns: Optional[Sequence[str]] = None,
        instrument: Optional[str] = None, scale: Optional[str] = None, form: Optional[str] = None,
        reverse: Sequence[str] = (), scale_min: Optional[float] = None,
        scale_max: Optional[float] = None, study: Optional[PathLike] = None,
        missing: Sequence[str] = (), estimator: Optional[str] = None,
        ordered: Optional[Union[str, Sequence[str]]] = None,
        parameterization: Optional[str] = None, missing_data: Optional[str] = None,
        mi: bool = False, mi_min: float = 0.0, group: Optional[str] = None,
        delta_cfi: float = 0.01, delta_rmsea: float = 0.015) -> Result:
    """Confirmatory factor analysis / SEM (``trustscale cfa``; lavaan 0.6.14).

    ``model``: lavaan syntax (``"F1 =~ a + b + c\\nF2 =~ d + e + f"``) or the path of a model
    file; without it, one factor per subscale of ``instrument``. ``estimator``: ml (default),
    mlr, or with ``ordered`` (``"all"`` or item names) wlsmv (then the default), dwls, ulsmv,
    uls; ``missing_data="fiml"``: full-information ML; ``group``: measurement invariance
    across the groups of a column; ``mi=True``: modification indices. ``parameters`` is the
    parameter table, ``fit`` the fit indices."""
    syntax = None
    if model is not None:
        m = os.fspath(model)
        if "~" not in m and os.path.isfile(m):
            pass
        else:
            syntax, model = m, None
    return _run("cfa", data, columns, dict(
        instrument=instrument, scale=scale, form=form, reverse=reverse, scale_min=scale_min,
        scale_max=scale_max, study=study, missing=missing, model=model, estimator=estimator,
        ordered=ordered, parameterization=parameterization, missing_data=missing_data, mi=mi,
        mi_min=mi_min, group=group, delta_cfi=delta_cfi, delta_rmsea=delta_rmsea),
        model=syntax)


def icc(data, *, columns: Optional[Sequence[str]] = None, raters: Sequence[str] = (),
        target: Optional[str] = None, rater: Optional[str] = None, value: Optional[str] = None,
        missing: Sequence[str] = (), ci: float = 0.95) -> Result:
    """Intraclass correlations (``trustscale icc``; psych::ICC, Shrout & Fleiss): wide data
    (``raters``: one column per rater, rows are targets) or long data (``target``, ``rater``,
    ``value`` columns). ``icc`` is the table of the six ICCs."""
    return _run("icc", data, columns, dict(raters=raters, target=target, rater=rater, value=value,
                                           missing=missing, ci=ci))


def rwg(data, *, columns: Optional[Sequence[str]] = None, items: Optional[str] = None,
        instrument: Optional[str] = None, scale: Optional[str] = None, form: Optional[str] = None,
        reverse: Sequence[str] = (), scale_min: Optional[float] = None,
        scale_max: Optional[float] = None, study: Optional[PathLike] = None,
        missing: Sequence[str] = (), group: Optional[str] = None,
        scale_points: Optional[int] = None, null: Optional[str] = None,
        null_variance: Optional[float] = None, min_rwg: float = 0.7, min_icc1: float = 0.05,
        min_icc2: float = 0.7, rgr: Optional[int] = None, seed: int = 1) -> Result:
    """Within-group agreement (``trustscale rwg``; multilevel::rwg, rwg.j, ICC1, ICC2): rwg(j),
    AD, ICC(1), ICC(2) and the aggregation verdict. ``groups`` is the per-group table."""
    return _run("rwg", data, columns, dict(
        items=items, instrument=instrument, scale=scale, form=form, reverse=reverse,
        scale_min=scale_min, scale_max=scale_max, study=study, missing=missing, group=group,
        scale_points=scale_points, null=null, null_variance=null_variance, min_rwg=min_rwg,
        min_icc1=min_icc1, min_icc2=min_icc2, rgr=rgr, seed=seed))


def kappa(data, *, columns: Optional[Sequence[str]] = None, raters: Sequence[str] = (),
          missing: Sequence[str] = (), weights: str = "none", ci: float = 0.95) -> Result:
    """Cohen's (weighted: ``weights="linear"|"quadratic"``) kappa for two ``raters``, Fleiss'
    kappa for more (``trustscale kappa``)."""
    return _run("kappa", data, columns, dict(raters=raters, missing=missing, weights=weights,
                                             ci=ci))


def krippendorff(data, *, columns: Optional[Sequence[str]] = None, raters: Sequence[str] = (),
                 missing: Sequence[str] = (), level: str = "nominal",
                 bootstrap: Optional[int] = None, seed: int = 1, ci: float = 0.95) -> Result:
    """Krippendorff's alpha (``trustscale krippendorff``): rows are units, ``raters`` the coder
    columns; ``level`` nominal, ordinal, interval or ratio; optional bootstrap interval."""
    return _run("krippendorff", data, columns, dict(raters=raters, missing=missing, level=level,
                                                    bootstrap=bootstrap, seed=seed, ci=ci))


def regress(data=None, *, outcome: str, predictors: Optional[Sequence[str]] = None,
            columns: Optional[Sequence[str]] = None, blocks: Optional[Sequence[Sequence[str]]] = None,
            robust: Optional[str] = None, cluster: Optional[str] = None,
            aggregate: Optional[str] = None, scale_points: Optional[int] = None,
            multilevel: Optional[str] = None, random_slope: Optional[str] = None,
            dominance: bool = False, bootstrap: Optional[int] = None, cv: Optional[int] = None,
            repeats: int = 1, seed: int = 1, ci: float = 0.95, min_answered: float = 0.8,
            study: Optional[PathLike] = None, missing: Sequence[str] = ()) -> Result:
    """Linear regression (``trustscale regress``): OLS with robust (``robust="hc3"``) or
    clustered standard errors, hierarchical ``blocks``, ``dominance`` analysis, ``cv``-fold
    cross-validated R², group means (``aggregate``) or a REML random-intercept model
    (``multilevel``; lme4). ``coefficients`` (or ``fixed``) is the coefficient table."""
    return _run("regress", data, columns, dict(
        outcome=outcome, predictors=predictors, blocks=blocks, robust=robust, cluster=cluster,
        aggregate=aggregate, scale_points=scale_points, multilevel=multilevel,
        random_slope=random_slope, dominance=dominance, bootstrap=bootstrap, cv=cv,
        repeats=repeats, seed=seed, ci=ci, min_answered=min_answered, study=study,
        missing=missing))


def profile(data=None, *, instrument: str, columns: Optional[Sequence[str]] = None,
            study: Optional[PathLike] = None, leader: Sequence[str] = (),
            group: Sequence[str] = (), target: Optional[str] = None, form: Optional[str] = None,
            group_column: Optional[str] = None, min_answered: float = 0.8,
            missing: Sequence[str] = ()) -> Result:
    """Subscale profiles per leader (``target`` and ``form`` columns: self vs collaborators,
    strengths) or per group (``group_column``), or from a ``study`` (``trustscale profile``)."""
    return _run("profile", data, columns, dict(
        study=study, instrument=instrument, leader=leader, group=group, target=target, form=form,
        group_column=group_column, min_answered=min_answered, missing=missing))


def simulate(instrument: Optional[str] = None, *, n: int = 400, seed: Optional[int] = None,
             loadings: float = 0.7, factor_cor: float = 0.3, model: Optional[PathLike] = None,
             out: Optional[PathLike] = None):
    """Simulated Likert responses to an ``instrument`` from a known factor model (``trustscale
    simulate``): returns a DataFrame, the same numbers as the CLI's CSV for the same seed
    (default 1). With ``model`` (a population model file) and ``out`` (a folder), writes a
    whole study and returns the :class:`Result` describing it."""
    r = _run("simulate", None, None, dict(instrument=instrument, model=model, n=n, seed=seed,
                                          loadings=loadings, factor_cor=factor_cor, out=out))
    if model is None:
        return r.to_frame()
    return r


def power(model: PathLike, *, replications: Optional[int] = None, seed: Optional[int] = None,
          groups: Sequence[int] = (), raters: Sequence[int] = (),
          effect_scale: Sequence[float] = (), analysis: Optional[str] = None,
          outcome: Optional[str] = None, predictors: Sequence[str] = (),
          alpha: Optional[float] = None, cv: int = 10, shard: Optional[str] = None,
          resume: bool = False, out: Optional[PathLike] = None) -> Result:
    """Monte Carlo power of a multi-level study design (``trustscale power``) from a population
    model file; ``groups``, ``raters`` and ``effect_scale`` give the grid to try."""
    return _run("power", None, None, dict(
        model=model, replications=replications, seed=seed, groups=groups, raters=raters,
        effect_scale=effect_scale, analysis=analysis, outcome=outcome, predictors=predictors,
        alpha=alpha, cv=cv, shard=shard, resume=resume, out=out))


def _study_path(study) -> str:
    if isinstance(study, Study):
        return study.path
    return os.fspath(study)


def evaluate(study, *, instrument: Optional[str] = None) -> Result:
    """Program evaluation of a study with an ``[evaluation]`` table (``trustscale evaluate``):
    attrition, change per arm, the program effect, reliable change, self-other gap."""
    return _run("evaluate", None, None, dict(study=_study_path(study), instrument=instrument,
                                              json=True))


def framework(study, *, bootstrap: Optional[int] = None, seed: Optional[int] = None) -> Result:
    """Tests the framework's claims on a study (``trustscale framework``): affective vs
    cognitive trust, competencies vs risks, specialised leaders."""
    return _run("framework", None, None, dict(study=_study_path(study), bootstrap=bootstrap,
                                              seed=seed, json=True))


def describe(data: PathLike, *, missing: Sequence[str] = (), delimiter: Optional[str] = None,
             skip_rows: Optional[int] = None, sheet: Optional[str] = None) -> Result:
    """What a data file holds (``trustscale describe``): columns, types, labels, missing codes,
    rows, answers and ranges."""
    return _run("describe", os.fspath(data), None, dict(missing=missing, delimiter=delimiter,
                                                        skip_rows=skip_rows, sheet=sheet,
                                                        json=True))


def report(study, out_dir: PathLike, *, iterations: int = 100, cv: int = 10,
           leaders: Sequence[str] = (), seed: int = 1, estimator: str = "auto",
           null: str = "uniform", force: bool = False) -> str:
    """Writes a study's whole validation report (``trustscale report``) into ``out_dir``:
    report.html, results.json and charts. Returns the path of report.html."""
    _call(["report"], dict(study=_study_path(study), out=os.fspath(out_dir),
                           iterations=iterations, cv=cv, leaders=leaders, seed=seed,
                           estimator=estimator, null=null, force=force))
    return os.path.join(os.fspath(out_dir), "report.html")


# --------------------------------------------------------------------------- instruments, studies
class Instrument:
    """A survey instrument: its subscales, items (with reverse keys) and response scale.

    ``Instrument.list()`` lists the shipped instruments; ``Instrument.load(id_or_path)`` loads
    one (a shipped id such as ``"tblc"`` or an instrument TOML file)."""

    def __init__(self, data: Dict[str, Any]):
        self._data = data
        self.id: str = data["id"]
        self.title: str = data.get("title", "")
        self.version: str = data.get("version", "")
        self.forms: List[str] = list(data.get("forms", []))
        sc = data.get("scale", {})
        self.scale_min: int = sc.get("min")
        self.scale_max: int = sc.get("max")

    @staticmethod
    def list():
        """The shipped instruments as a DataFrame (id, title, subscales, items, forms, scale)."""
        import pandas as pd

        js, _, _ = _call(["instrument", "list"], dict(json=True))
        import json as _json

        return pd.DataFrame(_json.loads(js))

    @classmethod
    def load(cls, id_or_path: PathLike, form: Optional[str] = None) -> "Instrument":
        """Loads an instrument by id or file (``trustscale instrument show ID --json``)."""
        import json as _json

        js, _, _ = _call(["instrument", "show", os.fspath(id_or_path)], dict(json=True, form=form))
        return cls(_json.loads(js))

    @property
    def subscales(self) -> List[str]:
        """Subscale ids, in order."""
        return [s["id"] for s in self._data.get("subscales", [])]

    @property
    def items(self):
        """One row per item: ``subscale``, ``item``, ``reverse``, ``text``."""
        import pandas as pd

        rows = []
        for s in self._data.get("subscales", []):
            for it in s.get("items", []):
                rows.append({"subscale": s["id"], "item": it["id"], "reverse": it.get("reverse", False),
                             "text": it.get("text") or it.get("table_text")})
        return pd.DataFrame(rows)

    def items_of(self, subscale: str) -> List[str]:
        """The item ids of one subscale."""
        for s in self._data.get("subscales", []):
            if s["id"] == subscale:
                return [it["id"] for it in s.get("items", [])]
        raise OptionError(f"instrument {self.id} has no subscale {subscale!r} "
                          f"(it has {', '.join(self.subscales)})")

    def to_dict(self) -> Dict[str, Any]:
        """The contract JSON of ``trustscale instrument show --json``."""
        import copy

        return copy.deepcopy(self._data)

    def __repr__(self) -> str:
        return (f"<Instrument {self.id}: {self.title}; {len(self.subscales)} subscales, "
                f"{len(self.items)} items, scale {self.scale_min}-{self.scale_max}>")


class Study:
    """A study file (study.toml): its datasets and instruments, checked against the data
    (``trustscale study check``). Pass it to :func:`report`, :func:`evaluate`,
    :func:`framework`, or as ``study=`` to the analyses."""

    def __init__(self, path: str, check: List[Dict[str, Any]]):
        self.path = path
        self.check = check

    @classmethod
    def load(cls, path: PathLike) -> "Study":
        """Reads the study file and checks it against its data files (its datasets, columns,
        rows, groups, forms); raises DataError when they do not match."""
        import json as _json

        p = os.path.abspath(os.fspath(path))
        js, _, _ = _call(["study", "check", p], dict(json=True))
        return cls(p, _json.loads(js))

    @property
    def datasets(self):
        """The study's datasets as a DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.check)

    def to_dict(self) -> List[Dict[str, Any]]:
        """The contract JSON of ``trustscale study check --json`` (one entry per dataset)."""
        import copy

        return copy.deepcopy(self.check)

    def __fspath__(self) -> str:
        return self.path

    def __repr__(self) -> str:
        return f"<Study {self.path}: {len(self.check)} datasets>"
