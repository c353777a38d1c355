"""Category weights: how much one incident of each kind counts in a risk score.

Source category names are matched case-insensitively (spaces, ``_`` and ``-`` are treated the
same) through a synonym table to a small set of canonical categories: English (Portland's and
Toronto's open-data names) and Chinese (两抢, 抢劫, 抢夺, 盗窃, 入室盗窃, 诈骗 ...). Unknown
categories get :attr:`CategoryWeights.default_weight` and are reported, never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

UNKNOWN = "unknown"

#: Default weight per canonical category. Street robbery and snatching (两抢) and assault weigh
#: most, burglary next, thefts 1, disorder and unspecified calls least. A policy choice:
#: pass your own table to :class:`CategoryWeights`.
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "robbery": 3.0,
        "assault": 2.5,
        "burglary": 2.0,
        "vehicle_theft": 1.5,
        "bicycle_theft": 1.0,
        "theft": 1.0,
        "fraud": 1.0,
        "street_crimes": 1.0,
        "disorder": 0.5,
        "other": 0.5,
    }
)

#: Source names (normalised: lower case, single spaces) mapped to canonical categories.
DEFAULT_SYNONYMS: Mapping[str, str] = MappingProxyType(
    {
        # robbery and snatching, 两抢
        "robbery": "robbery",
        "street robbery": "robbery",
        "snatching": "robbery",
        "purse snatching": "robbery",
        "两抢": "robbery",
        "抢劫": "robbery",
        "抢夺": "robbery",
        # assault
        "assault": "assault",
        "aggravated assault": "assault",
        "battery": "assault",
        "故意伤害": "assault",
        "伤害": "assault",
        "殴打": "assault",
        # burglary
        "burglary": "burglary",
        "break and enter": "burglary",
        "breaking and entering": "burglary",
        "入室盗窃": "burglary",
        # vehicle theft
        "motor vehicle theft": "vehicle_theft",
        "vehicle theft": "vehicle_theft",
        "auto theft": "vehicle_theft",
        "car theft": "vehicle_theft",
        "盗窃机动车": "vehicle_theft",
        "机动车盗窃": "vehicle_theft",
        "盗窃电动车": "bicycle_theft",
        "电动车盗窃": "bicycle_theft",
        # bicycle theft
        "bicycle theft": "bicycle_theft",
        "bike theft": "bicycle_theft",
        "e-bike theft": "bicycle_theft",
        "盗窃自行车": "bicycle_theft",
        "自行车盗窃": "bicycle_theft",
        # theft
        "theft": "theft",
        "larceny": "theft",
        "theft over": "theft",
        "theft under": "theft",
        "pickpocketing": "theft",
        "盗窃": "theft",
        "扒窃": "theft",
        # fraud
        "fraud": "fraud",
        "诈骗": "fraud",
        "电信诈骗": "fraud",
        # disorder
        "disorder": "disorder",
        "disturbance": "disorder",
        "扰乱秩序": "disorder",
        "黄赌毒": "disorder",
        # Portland's challenge categories
        "street crimes": "street_crimes",
        "other": "other",
        "suspicious": "other",
    }
)


def normalise_name(name: object) -> str:
    """Lower-case ``name``, treat ``_`` and ``-`` as spaces and collapse whitespace."""
    return re.sub(r"[-_\s]+", " ", str(name).strip().lower()).strip()


@dataclass(frozen=True)
class CategoryWeights:
    """Weights per canonical category and the synonyms that lead to them.

    Parameters
    ----------
    weights
        Weight per canonical category (non-negative).
    synonyms
        Normalised source name -> canonical category. Canonical names match themselves.
    default_weight
        Weight of incidents whose category is not recognised (reported as ``unknown``).
    """

    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS)
    synonyms: Mapping[str, str] = field(default_factory=lambda: DEFAULT_SYNONYMS)
    default_weight: float = 1.0

    def __post_init__(self) -> None:
        bad = {k: v for k, v in self.weights.items() if not (np.isfinite(v) and v >= 0)}
        if bad:
            raise ValueError(f"weights: every weight must be finite and >= 0, got {bad!r}")
        if not (np.isfinite(self.default_weight) and self.default_weight >= 0):
            raise ValueError(f"default_weight must be finite and >= 0, got {self.default_weight!r}")
        missing = sorted({c for c in self.synonyms.values() if c not in self.weights})
        if missing:
            raise ValueError(
                f"synonyms: canonical categories {missing!r} have no weight; add them to weights"
            )

    def with_weights(self, **overrides: float) -> CategoryWeights:
        """A copy with some canonical weights changed (``with_weights(robbery=4)``)."""
        unknown = sorted(set(overrides) - set(self.weights))
        if unknown:
            raise ValueError(
                f"with_weights: unknown categories {unknown!r}; expected some of "
                f"{sorted(self.weights)!r}"
            )
        return CategoryWeights({**self.weights, **overrides}, self.synonyms, self.default_weight)

    def canonical(self, categories: pd.Series) -> pd.Series:
        """Canonical category of each source name; ``"unknown"`` where not recognised."""
        synonyms = {normalise_name(k): v for k, v in self.synonyms.items()}
        synonyms.update({normalise_name(k): k for k in self.weights})
        uniques = pd.Series(categories.astype("string").fillna("").unique())
        lookup = {raw: synonyms.get(normalise_name(raw), UNKNOWN) for raw in uniques}
        return categories.astype("string").fillna("").map(lookup).astype(object)

    def weigh(self, categories: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
        """Weight of each incident and the sorted source names that were not recognised."""
        canon = self.canonical(categories)
        table = {**self.weights, UNKNOWN: self.default_weight}
        values = canon.map(table).to_numpy(dtype=float)
        unknown = categories[(canon == UNKNOWN).to_numpy()].astype("string").fillna("<missing>")
        return values, tuple(sorted(set(unknown)))


#: Every incident weighs 1: what hit rate, PAI and PEI count.
UNIFORM = CategoryWeights(
    weights=MappingProxyType(dict.fromkeys(DEFAULT_WEIGHTS, 1.0)), default_weight=1.0
)
