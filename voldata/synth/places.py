"""Districts, streets and communities for demo exports.

District codes, names and population come from ``data/reference``; street and
community names are made up (plausible two-character place names), as many
streets per district as the reference table lists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voldata import reference

__all__ = ["Places", "places"]

_SYLLABLES = list("东西南北新华龙凤江沙石岗塘洲林湖海山桥元福兴隆安宁和平康乐泰昌盛丰秀云鹤金银竹梅荔榕花岭田湾")
_STREET_SUFFIX = np.array(["街道", "街道", "街道", "镇"])
_COMMUNITY_SUFFIX = np.array(["社区", "社区", "社区", "村"])


@dataclass(frozen=True)
class Places:
    """Place names as arrays indexed by integers.

    ``codes[d]``, ``names[d]`` for district d; ``street_names[s]`` with
    ``street_district[s]``; ``community_names[c]`` with ``community_street[c]``.
    ``district_streets[d]`` lists the street indices of district d.
    """

    codes: np.ndarray
    names: np.ndarray
    population: np.ndarray
    street_names: np.ndarray
    street_district: np.ndarray
    community_names: np.ndarray
    community_street: np.ndarray
    street_first_community: np.ndarray
    street_community_count: np.ndarray
    district_first_street: np.ndarray
    district_street_count: np.ndarray

    def random_street(self, rng: np.random.Generator, district: np.ndarray) -> np.ndarray:
        offset = (rng.random(len(district)) * self.district_street_count[district]).astype(np.int64)
        return self.district_first_street[district] + offset

    def random_community(self, rng: np.random.Generator, street: np.ndarray) -> np.ndarray:
        offset = (rng.random(len(street)) * self.street_community_count[street]).astype(np.int64)
        return self.street_first_community[street] + offset


_DISTRICT_SHORT = {
    "荔湾",
    "越秀",
    "海珠",
    "天河",
    "白云",
    "黄埔",
    "番禺",
    "花都",
    "南沙",
    "从化",
    "增城",
    "东山",
    "芳村",
    "萝岗",
}


def _names(rng: np.random.Generator, n: int, suffixes: np.ndarray, taken: set[str]) -> list[str]:
    names = []
    while len(names) < n:
        a, b = rng.integers(0, len(_SYLLABLES), 2)
        stem = _SYLLABLES[a] + _SYLLABLES[b]
        name = stem + suffixes[rng.integers(0, len(suffixes))]
        # Never a district's own name: a street called 南沙镇 in 天河区 would only confuse.
        if a != b and name not in taken and stem not in _DISTRICT_SHORT:
            taken.add(name)
            names.append(name)
    return names


def places() -> Places:
    """The same made-up streets and communities every time (independent of the seed)."""
    table = reference.districts()
    rng = np.random.default_rng(440100)
    street_names, street_district, community_names, community_street = [], [], [], []
    first_community, community_count, first_street, street_count = [], [], [], []
    taken_streets: set[str] = set()
    for d, row in enumerate(table.itertuples(index=False)):
        n_streets = int(row.streets_towns_2023)
        first_street.append(len(street_names))
        street_count.append(n_streets)
        for name in _names(rng, n_streets, _STREET_SUFFIX, taken_streets):
            s = len(street_names)
            street_names.append(name)
            street_district.append(d)
            n_communities = int(rng.integers(8, 25))
            first_community.append(len(community_names))
            community_count.append(n_communities)
            taken_communities: set[str] = set()
            for community in _names(rng, n_communities, _COMMUNITY_SUFFIX, taken_communities):
                community_names.append(community)
                community_street.append(s)
    return Places(
        codes=table["district_code"].to_numpy(dtype=str),
        names=table["name_zh"].to_numpy(dtype=str),
        population=table["population_2020"].to_numpy(dtype=np.float64),
        street_names=np.array(street_names),
        street_district=np.array(street_district),
        community_names=np.array(community_names),
        community_street=np.array(community_street),
        street_first_community=np.array(first_community),
        street_community_count=np.array(community_count),
        district_first_street=np.array(first_street),
        district_street_count=np.array(street_count),
    )
