"""Scoring every seeker (mentee) against every offerer (mentor), vectorised and block-wise.

Each criterion gives a value from 0 to 1 per pair; the score is ``sum(weight * value) /
sum(weight)``, so it stays from 0 to 1 too. "Must" rules (avoid lists, earlier partners, the
same person, the same department, a time-zone gap, a shared language, NaN from a plugin's
criterion) never lower a score: they forbid the pair, and a forbidden pair's score is NaN.

``PairScorer.block(rows)`` scores a slice of seekers against every offerer, so a caller can
stream a large cohort without ever holding the n x m matrix; ``PairScorer.values(rows, cols)``
recomputes each criterion for chosen pairs only (to explain them).

Most criteria depend on a categorical feature of each side (a seniority level, a UTC offset, a
set of languages, a department): those are computed once per distinct seeker value against
every offerer (a small table), and a block is a row gather from it. Skills, goals and
availability are sparse vectors compared with matrix products.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import typing
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from mentorkit.contracts import MatchCriterion, MatchPool, PoolEnrolment
from mentorkit_matching_smart.settings import CRITERIA, SmartMatchingSettings

SENIORITY = ("student", "junior", "mid", "senior", "lead", "executive")
NEUTRAL = 0.5
WEEK_MINUTES = 7 * 24 * 60
SLOT_MINUTES = 30  # availability is compared in half-hour slots of the UTC week
SLOTS = WEEK_MINUTES // SLOT_MINUTES
GOALS_FEATURES = 256  # the most frequent words both sides use (norms still count every word)
BLOCK_ELEMENTS = 1 << 19  # pairs per block: a few MB per temporary array
TABLE_ELEMENTS = 1 << 25  # the largest per-class table of a criterion (128 MB of float32)
_WORD = re.compile(r"[^\W\d_][\w'-]+", re.UNICODE)
_STOP_WORDS = """
a about above after again all also am an and any are as at be because been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers him his how
i if in into is it its just me more most my no nor not now of off on once only or other our ours out over own same
she should so some such than that the their theirs them then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your yours want wants like
would get help learn learning better work working year years people things thing new make good really
"""
_STOP = frozenset(_STOP_WORDS.split())

Features = tuple[np.ndarray, np.ndarray, np.ndarray]  # CSR: indptr, indices, data


# --------------------------------------------------------------------------- sparse rows


@dataclass(frozen=True)
class Rows:
    """Sparse rows (CSR) of a fixed width: one feature vector per person."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    width: int

    @classmethod
    def build(cls, rows: Sequence[Mapping[int, float]], width: int) -> Rows:
        """From one ``{column: value}`` per row."""
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        indices = np.fromiter((c for r in rows for c in r), dtype=np.int64, count=int(indptr[-1]))
        data = np.fromiter((v for r in rows for v in r.values()), dtype=np.float32, count=int(indptr[-1]))
        return cls(indptr, indices, data, width)

    def dense(self, rows: slice | np.ndarray) -> np.ndarray:
        """The rows as a dense float32 array."""
        picked = np.arange(len(self.indptr) - 1)[rows]
        starts, ends = self.indptr[picked], self.indptr[picked + 1]
        lengths = ends - starts
        out = np.zeros((len(picked), self.width), dtype=np.float32)
        if lengths.sum():
            which = np.repeat(np.arange(len(picked)), lengths)
            positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            out[which, self.indices[positions]] = self.data[positions]
        return out

    def dense_into(self, rows: slice, out: np.ndarray, offset: int) -> None:
        """Write rows ``rows`` into ``out`` (zeros), their columns shifted by ``offset``."""
        a, b = self.indptr[rows.start], self.indptr[rows.stop]
        which = np.repeat(np.arange(rows.stop - rows.start), np.diff(self.indptr[rows.start:rows.stop + 1]))
        out[which, self.indices[a:b] + offset] = self.data[a:b]

    def row(self, i: int) -> dict[int, float]:
        """Row ``i`` as ``{column: value}``."""
        a, b = self.indptr[i], self.indptr[i + 1]
        return dict(zip(self.indices[a:b].tolist(), self.data[a:b].tolist(), strict=True))

    def totals(self) -> np.ndarray:
        """The sum of each row."""
        which = np.repeat(np.arange(len(self.indptr) - 1), np.diff(self.indptr))
        return np.bincount(which, weights=self.data, minlength=len(self.indptr) - 1).astype(np.float32)

    def empty(self) -> np.ndarray:
        """True for rows without any feature."""
        return np.diff(self.indptr) == 0


def _pairwise_dot(a: Rows, rows: np.ndarray, b: Rows, cols: np.ndarray, chunk: int = 4096) -> np.ndarray:
    out = np.empty(len(rows), dtype=np.float32)
    for start in range(0, len(rows), chunk):
        part = slice(start, start + chunk)
        out[part] = np.einsum("ij,ij->i", a.dense(rows[part]), b.dense(cols[part]))
    return out


def _with_neutral(seekers: Rows, empty_rows: np.ndarray, offerers_t: np.ndarray,
                  empty_cols: np.ndarray | None) -> tuple[Rows, np.ndarray]:
    """Seeker rows and an offerer matrix whose product is the criterion's values, neutral
    included: a seeker without features gets 0.5 from every offerer, an offerer without
    features 0.5 from every seeker with some (two extra columns)."""
    width = seekers.width
    rows = []
    for i in range(len(seekers.indptr) - 1):
        row = seekers.row(i)
        row[width if empty_rows[i] else width + 1] = 1.0
        rows.append(row)
    bottom = np.zeros((2, offerers_t.shape[1]), dtype=np.float32)
    bottom[0] = NEUTRAL
    if empty_cols is not None:
        bottom[1, empty_cols] = NEUTRAL
        offerers_t = offerers_t.copy()
        offerers_t[:, empty_cols] = 0.0
    return Rows.build(rows, width + 2), np.vstack([offerers_t, bottom])


def _merge_tables(tables: list[tuple[np.ndarray, np.ndarray]], m: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Fewer, larger tables with the same sums: the two with the fewest classes become one
    table of the class pairs seekers actually have, while it stays small (one gather and one
    addition per block instead of two)."""
    tables = list(tables)
    while len(tables) > 1:
        tables.sort(key=lambda t: len(t[1]))
        (codes_a, a), (codes_b, b) = tables[0], tables[1]
        joint = codes_a.astype(np.int64) * len(b) + codes_b
        pairs, inverse = np.unique(joint, return_inverse=True)
        if len(pairs) * m > TABLE_ELEMENTS // 2:
            break
        merged = a[pairs // len(b)] + b[pairs % len(b)]
        tables[:2] = [(inverse.astype(np.int64).reshape(-1), merged.astype(np.float32))]
    return tables


def _class_codes(keys: Sequence[Hashable]) -> tuple[np.ndarray, list[Hashable]]:
    index: dict[Hashable, int] = {}
    codes = np.fromiter((index.setdefault(k, len(index)) for k in keys), dtype=np.int32, count=len(keys))
    return codes, list(index)


# --------------------------------------------------------------------------- profile features


@functools.lru_cache(maxsize=1024)
def utc_offset_minutes(zone: str, now: dt.datetime) -> float:
    """The zone's offset from UTC now, in minutes (NaN for an unknown zone)."""
    try:
        offset = now.astimezone(ZoneInfo(zone or "UTC")).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return math.nan
    return offset.total_seconds() / 60 if offset is not None else math.nan


def _minutes(text: Any) -> int | None:
    try:
        hours, minutes = str(text).split(":")[:2]
        value = int(hours) * 60 + int(minutes)
    except (ValueError, TypeError):
        return None
    return value if 0 <= value <= 24 * 60 else None


def availability_slots(availability: Sequence[Mapping[str, Any]], offset: float) -> dict[int, float]:
    """Weekly availability (local days and times) as covered fractions of UTC half-hour slots."""
    covered: dict[int, float] = {}
    shift = 0.0 if math.isnan(offset) else offset
    for window in availability:
        start, end = _minutes(window.get("start")), _minutes(window.get("end"))
        try:
            day = int(window.get("day", -1))
        except (TypeError, ValueError):
            continue
        if start is None or end is None or end <= start or not 0 <= day <= 6:
            continue
        begin = day * 1440 + start - shift
        finish = begin + (end - start)
        minute = begin
        while minute < finish:
            slot_start = math.floor(minute / SLOT_MINUTES) * SLOT_MINUTES
            upto = min(finish, slot_start + SLOT_MINUTES)
            slot = int(slot_start // SLOT_MINUTES) % SLOTS
            covered[slot] = min(1.0, covered.get(slot, 0.0) + (upto - minute) / SLOT_MINUTES)
            minute = upto
    return covered


def words(text: str) -> list[str]:
    """The words of a free text worth comparing (lower case, no stop words)."""
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1]


def _tag_words(tags: Sequence[str]) -> list[str]:
    return [w for tag in tags for w in words(tag.replace("-", " ").replace("_", " "))]


def seniority_level(person: PoolEnrolment) -> int:
    """0 (student) to 5 (executive), -1 when unknown."""
    key = (person.seniority or "").strip().lower()
    return SENIORITY.index(key) if key in SENIORITY else -1


def languages_of(person: PoolEnrolment) -> frozenset[str]:
    """The primary language subtags someone speaks (``"es-MX"`` -> ``"es"``)."""
    return frozenset(tag.strip().lower().replace("_", "-").split("-")[0] for tag in person.languages if tag.strip())


def department_of(person: PoolEnrolment) -> str:
    """The department as compared (case and spaces ignored)."""
    return " ".join(person.department.split()).casefold()


def answer_values(value: Any) -> frozenset[str]:
    """A choice or tags answer as a set of case-folded strings."""
    if value is None or value == "":
        return frozenset()
    items = value if isinstance(value, list | tuple | set | frozenset) else [value]
    return frozenset(str(v).strip().casefold() for v in items if str(v).strip())


def scale_value(value: Any) -> float:
    """A scale answer as a number (NaN when missing or not a number)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def seniority_value(seeker_level: int, offerer_level: int, direction: str) -> float:
    """How well a seniority gap fits: 1 for an offerer one or two levels on the wanted side."""
    if seeker_level < 0 or offerer_level < 0:
        return NEUTRAL
    gap = offerer_level - seeker_level
    if direction == "junior_mentors":
        gap = -gap
    if gap <= -1:
        return 0.0
    return {0: 0.4, 1: 1.0, 2: 1.0, 3: 0.8}.get(gap, 0.6)


def seniority_table(direction: str) -> np.ndarray:
    """``table[seeker_level + 1, offerer_level + 1]`` for levels -1 (unknown) to 5."""
    levels = range(-1, len(SENIORITY))
    return np.array([[seniority_value(s, o, direction) for o in levels] for s in levels], dtype=np.float32)


# --------------------------------------------------------------------------- criteria and rules


@dataclass
class Criterion:
    """One scored criterion: a block of values and the values of chosen pairs."""

    key: str
    label: str
    weight: float
    block: Callable[[slice], np.ndarray]
    pairs: Callable[[np.ndarray, np.ndarray], np.ndarray]
    plugin: MatchCriterion | None = None
    # Fast forms for scoring blocks (same values): a table per seeker class, or a product of
    # seeker rows with an offerer matrix (neutral values folded in as extra columns).
    table: tuple[np.ndarray, np.ndarray] | None = None
    product: tuple[Rows, np.ndarray] | None = None


@dataclass
class Rule:
    """A must rule: True where a pair is forbidden. ``reason`` completes "excluded by ..."."""

    key: str
    reason: str
    sentence: str
    block: Callable[[slice], np.ndarray]
    pairs: Callable[[np.ndarray, np.ndarray], np.ndarray]
    shown: bool = True
    table: tuple[np.ndarray, np.ndarray] | None = None
    listed: np.ndarray | None = None


@dataclass
class PairScorer:
    """Scores of seekers x offerers under one program's settings (see the module docstring)."""

    pool: MatchPool
    settings: SmartMatchingSettings
    seekers: Sequence[PoolEnrolment]
    offerers: Sequence[PoolEnrolment]
    plugin_criteria: Mapping[str, MatchCriterion] = field(default_factory=dict)
    forbid_pairs: Sequence[tuple[int, int]] = ()
    now: dt.datetime | None = None
    criteria: list[Criterion] = field(init=False, default_factory=list)
    rules: list[Rule] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.now = self.now or dt.datetime.now(dt.UTC)
        self.n, self.m = len(self.seekers), len(self.offerers)
        self._fast: Any = None
        self._build()
        self.total_weight = float(sum(c.weight for c in self.criteria))

    # ---------------------------------------------------------------- public

    def block_rows(self) -> int:
        """How many seekers one block holds."""
        return max(1, min(self.n or 1, BLOCK_ELEMENTS // max(self.m, 1)))

    def blocks(self) -> Iterator[slice]:
        """The seeker slices of the blocks, in order."""
        step = self.block_rows()
        for start in range(0, self.n, step):
            yield slice(start, min(start + step, self.n))

    def forbidden(self, rows: slice) -> np.ndarray:
        """True where a must rule forbids the pair (rows x every offerer)."""
        mask = np.zeros((rows.stop - rows.start, self.m), dtype=bool)
        for rule in self.rules:
            mask |= rule.block(rows)
        return mask

    def block(self, rows: slice) -> np.ndarray:
        """Scores of seekers ``rows`` against every offerer: float32 from 0 to 1, NaN where a
        rule forbids the pair."""
        if self._fast is None:
            self._fast = self._prepare()
        product, tables, others, listed = self._fast
        r = rows.stop - rows.start
        out = np.empty((r, self.m), dtype=np.float32)
        if product is not None:
            left = np.zeros((r, product[1].shape[0]), dtype=np.float32)
            for part, offset in product[0]:
                part.dense_into(rows, left, offset)
            np.matmul(left, product[1], out=out)
        else:
            out.fill(0.0)
        scratch = np.empty_like(out)
        for codes, table in tables:  # weighted values, NaN where a rule forbids
            np.take(table, codes[rows], axis=0, out=scratch)
            out += scratch
        for criterion in others:
            out += np.float32(criterion.weight / self.total_weight) * criterion.block(rows)
        for pairs in listed:
            a, b = np.searchsorted(pairs[:, 0], [rows.start, rows.stop])
            out[pairs[a:b, 0] - rows.start, pairs[a:b, 1]] = np.nan
        return out

    def _prepare(self) -> tuple[Any, list[tuple[np.ndarray, np.ndarray]], list[Criterion], list[np.ndarray]]:
        scale = 1.0 / self.total_weight
        parts, matrices, width = [], [], 0
        tables, others = [], []
        for c in self.criteria:
            w = np.float32(c.weight * scale)
            if c.product is not None:
                seeker_rows, offerer_matrix = c.product
                parts.append((Rows(seeker_rows.indptr, seeker_rows.indices, seeker_rows.data * w, seeker_rows.width),
                              width))
                matrices.append(offerer_matrix)
                width += seeker_rows.width
            elif c.table is not None:
                tables.append((c.table[0], (c.table[1] * w).astype(np.float32)))
            else:
                others.append(c)
        for rule in self.rules:
            if rule.table is not None:
                tables.append((rule.table[0], np.where(rule.table[1], np.float32(np.nan), np.float32(0))))
        tables = _merge_tables(tables, self.m)
        product = (parts, np.ascontiguousarray(np.concatenate(matrices), dtype=np.float32)) if parts else None
        listed = [rule.listed for rule in self.rules if rule.listed is not None and len(rule.listed)]
        return product, tables, others, listed

    def dense(self, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """The whole n x m score matrix (small cohorts only)."""
        out = np.empty((self.n, self.m), dtype=np.float32)
        for rows in self.blocks():
            out[rows] = self.block(rows)
            if progress is not None:
                progress(rows.stop, self.n)
        return out

    def values(self, rows: np.ndarray, cols: np.ndarray) -> dict[str, np.ndarray]:
        """Each criterion's value for the pairs ``(rows[i], cols[i])`` only."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        return {c.key: np.nan_to_num(c.pairs(rows, cols), nan=0.0).astype(np.float32) for c in self.criteria}

    def pair_scores(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The scores of chosen pairs (NaN where forbidden)."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        total = np.zeros(len(rows), dtype=np.float32)
        nan = np.zeros(len(rows), dtype=bool)
        for c in self.criteria:
            v = c.pairs(rows, cols)
            nan |= np.isnan(v)
            total += np.float32(c.weight / self.total_weight) * np.nan_to_num(v, nan=0.0)
        for rule in self.rules:
            nan |= rule.pairs(rows, cols)
        total[nan] = np.nan
        return total

    def rule_counts(self, row: int, cols: np.ndarray) -> Counter[str]:
        """For one seeker: how many of the offerers ``cols`` each rule forbids."""
        counts: Counter[str] = Counter()
        rows = slice(row, row + 1)
        for rule in self.rules:
            hit = int(rule.block(rows)[0, cols].sum())
            if hit:
                counts[rule.reason] += hit
        for c in self.criteria:
            if c.plugin is not None:
                hit = int(np.isnan(c.block(rows)[0, cols]).sum())
                if hit:
                    counts[f"the {c.label.lower()} rule"] += hit
        return counts

    def passed_rules(self) -> list[Rule]:
        """The rules in force (every proposal passed them)."""
        return list(self.rules)

    # ---------------------------------------------------------------- construction

    def _build(self) -> None:
        s = self.settings
        now = self.now or dt.datetime.now(dt.UTC)
        self.seeker_offsets = np.array([utc_offset_minutes(p.time_zone, now) for p in self.seekers], dtype=np.float64)
        self.offerer_offsets = np.array([utc_offset_minutes(p.time_zone, now) for p in self.offerers], dtype=np.float64)
        if s.skills_weight > 0:
            self._skills(s.skills_weight)
        if s.goals_weight > 0:
            self._goals(s.goals_weight)
        if s.seniority_weight > 0:
            self._seniority(s.seniority_weight)
        if s.availability_weight > 0:
            self._availability(s.availability_weight)
        if s.language_weight > 0 or s.require_shared_language:
            self._languages(s.language_weight, s.require_shared_language)
        if s.time_zone_weight > 0 or s.max_time_zone_gap_hours is not None:
            self._time_zones(s.time_zone_weight, s.max_time_zone_gap_hours)
        if s.department_weight > 0 or s.avoid_same_department:
            self._departments(s.department_weight, s.avoid_same_department)
        for question in self.pool.questions:
            if question.matching_criterion:
                self._question(question.key, question.label, question.kind)
        for key, criterion in self.plugin_criteria.items():
            weight = s.weight_of(key, criterion.weight)
            if weight > 0:
                self._plugin(key, criterion, weight)
        self._pair_rules()
        if not self.criteria:  # every weight zero: all allowed pairs are equal
            self.criteria.append(Criterion("none", "No criteria", 1.0,
                                           lambda rows: np.full((rows.stop - rows.start, self.m), NEUTRAL, np.float32),
                                           lambda r, c: np.full(len(r), NEUTRAL, np.float32)))

    def _table_criterion(self, key: str, label: str, weight: float, seeker_keys: Sequence[Hashable],
                         column: Callable[[Hashable], np.ndarray]) -> Criterion:
        codes, classes = _class_codes(seeker_keys)
        table = np.stack([column(c) for c in classes]).astype(np.float32) if classes else np.zeros((0, self.m),
                                                                                                   np.float32)
        criterion = Criterion(key, label, weight, lambda rows: table[codes[rows]],
                              lambda r, c: table[codes[r], c], table=(codes, table))
        self.criteria.append(criterion)
        return criterion

    def _table_rule(self, key: str, reason: str, sentence: str, seeker_keys: Sequence[Hashable],
                    column: Callable[[Hashable], np.ndarray]) -> None:
        codes, classes = _class_codes(seeker_keys)
        table = np.stack([column(c) for c in classes]).astype(bool) if classes else np.zeros((0, self.m), bool)
        self.rules.append(Rule(key, reason, sentence, lambda rows: table[codes[rows]],
                               lambda r, c: table[codes[r], c], table=(codes, table)))

    def _skills(self, weight: float) -> None:
        wanted = {t for p in self.seekers for t in p.skills_sought}
        vocab = {t: i for i, t in enumerate(sorted(wanted & {t for p in self.offerers for t in p.skills_offered}))}
        sought = Rows.build([{vocab[t]: 1.0 / len(set(p.skills_sought)) for t in set(p.skills_sought) if t in vocab}
                             for p in self.seekers], len(vocab))
        offered = Rows.build([{vocab[t]: 1.0 for t in set(p.skills_offered) if t in vocab} for p in self.offerers],
                             len(vocab))
        offered_t = offered.dense(slice(None)).T.copy()
        nothing_sought = np.array([not p.skills_sought for p in self.seekers], dtype=bool)

        def block(rows: slice) -> np.ndarray:
            out = sought.dense(rows) @ offered_t if len(vocab) else np.zeros((rows.stop - rows.start, self.m),
                                                                               np.float32)
            out[nothing_sought[rows]] = NEUTRAL
            return out

        def pairs(r: np.ndarray, c: np.ndarray) -> np.ndarray:
            out = _pairwise_dot(sought, r, offered, c) if len(vocab) else np.zeros(len(r), np.float32)
            out[nothing_sought[r]] = NEUTRAL
            return out

        self.criteria.append(Criterion("skills", CRITERIA["skills"], weight, block, pairs,
                                       product=_with_neutral(sought, nothing_sought, offered_t, None)))

    def goal_texts(self) -> tuple[list[list[str]], list[list[str]]]:
        """The words compared for goals: seekers' and offerers'."""
        text_questions = [q.key for q in self.pool.questions if q.kind in ("long_text", "short_text")]

        def doc(p: PoolEnrolment, skills: Sequence[str]) -> list[str]:
            answers = " ".join(str(p.answers.get(k) or "") for k in text_questions)
            return words(f"{p.headline} {p.bio} {answers}") + _tag_words(skills)

        return ([doc(p, p.skills_sought) for p in self.seekers], [doc(p, p.skills_offered) for p in self.offerers])

    def _goals(self, weight: float) -> None:
        seeker_docs, offerer_docs = self.goal_texts()
        df: Counter[str] = Counter()
        for d in (*seeker_docs, *offerer_docs):
            df.update(set(d))
        total = len(seeker_docs) + len(offerer_docs)
        idf = {w: math.log((1 + total) / (1 + c)) + 1 for w, c in df.items()}
        both = {w for d in seeker_docs for w in d} & {w for d in offerer_docs for w in d}
        kept = sorted(both, key=lambda w: (-df[w], w))[:GOALS_FEATURES]
        self.goal_vocab = kept
        index = {w: i for i, w in enumerate(kept)}

        def vector(d: list[str]) -> dict[int, float]:
            counts = Counter(d)
            weights = {w: (1 + math.log(c)) * idf[w] for w, c in counts.items()}
            norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
            return {index[w]: v / norm for w, v in weights.items() if w in index}

        seekers = Rows.build([vector(d) for d in seeker_docs], len(kept))
        offerers = Rows.build([vector(d) for d in offerer_docs], len(kept))
        self.goal_rows = (seekers, offerers)
        offerers_t = offerers.dense(slice(None)).T.copy()
        empty_rows = np.array([not d for d in seeker_docs], dtype=bool)
        empty_cols = np.array([not d for d in offerer_docs], dtype=bool)
        any_empty_col = bool(empty_cols.any())

        def block(rows: slice) -> np.ndarray:
            out = seekers.dense(rows) @ offerers_t if kept else np.zeros((rows.stop - rows.start, self.m),
                                                                          np.float32)
            if any_empty_col:
                out[:, empty_cols] = NEUTRAL
            out[empty_rows[rows]] = NEUTRAL
            return np.clip(out, 0.0, 1.0, out=out)

        def pairs(r: np.ndarray, c: np.ndarray) -> np.ndarray:
            out = _pairwise_dot(seekers, r, offerers, c) if kept else np.zeros(len(r), np.float32)
            out[empty_rows[r] | empty_cols[c]] = NEUTRAL
            return np.clip(out, 0.0, 1.0)

        self.criteria.append(Criterion("goals", CRITERIA["goals"], weight, block, pairs,
                                       product=_with_neutral(seekers, empty_rows, offerers_t, empty_cols)))

    def _seniority(self, weight: float) -> None:
        table = seniority_table(self.pool.program.seniority_direction)
        offerer_levels = np.array([seniority_level(p) + 1 for p in self.offerers], dtype=np.int64)
        self._table_criterion("seniority", CRITERIA["seniority"], weight,
                              [seniority_level(p) + 1 for p in self.seekers],
                              lambda level: table[int(level)][offerer_levels])  # type: ignore[call-overload]

    def _availability(self, weight: float) -> None:
        seen: dict[tuple[Any, ...], dict[int, float]] = {}

        def slots(p: PoolEnrolment, offset: float) -> dict[int, float]:
            key = (offset, *(tuple(sorted(w.items())) for w in p.availability if isinstance(w, Mapping)))
            try:
                found = seen.get(key)
            except TypeError:  # an unhashable value in a window: no sharing
                return availability_slots(p.availability, offset)
            if found is None:
                found = seen[key] = availability_slots(p.availability, offset)
            return found

        seekers = Rows.build([slots(p, o) for p, o in zip(self.seekers, self.seeker_offsets, strict=True)], SLOTS)
        offerers = Rows.build([slots(p, o) for p, o in zip(self.offerers, self.offerer_offsets, strict=True)], SLOTS)
        self.availability_rows = (seekers, offerers)
        o_total = offerers.totals()
        self.availability_totals = (seekers.totals(), o_total)
        offerers_t = offerers.dense(slice(None)).T.copy()
        o_none = o_total == 0

        def compare(pattern: np.ndarray) -> np.ndarray:
            overlap = pattern @ offerers_t
            smaller = np.minimum(pattern.sum(axis=1)[:, None], o_total[None, :])
            part = np.where(smaller > 0, overlap / np.maximum(smaller, 1e-9), NEUTRAL).astype(np.float32)
            part[:, o_none] = NEUTRAL
            return np.clip(part, 0, 1, out=part)

        # People often share availability patterns: compare each distinct pattern once when the
        # table of patterns x offerers stays small, else every block directly.
        keys = [tuple(sorted(seekers.row(i).items())) for i in range(self.n)]
        codes, classes = _class_codes(keys)
        if len(classes) * self.m <= TABLE_ELEMENTS:
            table = np.zeros((len(classes), self.m), np.float32)
            for start in range(0, len(classes), 1024):
                pattern = np.zeros((min(1024, len(classes) - start), SLOTS), np.float32)
                for i, key in enumerate(classes[start:start + 1024]):
                    for slot, value in typing.cast(tuple[tuple[int, float], ...], key):
                        pattern[i, slot] = value
                table[start:start + len(pattern)] = compare(pattern)
            self.criteria.append(Criterion("availability", CRITERIA["availability"], weight,
                                           lambda rows: table[codes[rows]], lambda r, c: table[codes[r], c],
                                           table=(codes, table)))
            return

        def pairs(r: np.ndarray, c: np.ndarray) -> np.ndarray:
            overlap = _pairwise_dot(seekers, r, offerers, c)
            smaller = np.minimum(seekers.totals()[r], o_total[c])
            out = np.where(smaller > 0, overlap / np.maximum(smaller, 1e-9), NEUTRAL).astype(np.float32)
            return np.clip(out, 0, 1)

        self.criteria.append(Criterion("availability", CRITERIA["availability"], weight,
                                       lambda rows: compare(seekers.dense(rows)), pairs))

    def _languages(self, weight: float, required: bool) -> None:
        offerer_sets = [languages_of(p) for p in self.offerers]
        seeker_sets = [languages_of(p) for p in self.seekers]
        vocab = sorted({lang for s in (*offerer_sets, *seeker_sets) for lang in s})
        index = {lang: i for i, lang in enumerate(vocab)}
        hot = np.zeros((len(vocab), self.m), dtype=bool)
        for j, langs in enumerate(offerer_sets):
            for lang in langs:
                hot[index[lang], j] = True
        unknown = np.array([not s for s in offerer_sets], dtype=bool)

        def shared(langs: Hashable) -> np.ndarray:
            assert isinstance(langs, frozenset)
            if not langs:
                return np.zeros(self.m, bool)
            return np.asarray(hot[[index[lang] for lang in langs]].any(axis=0), dtype=bool)

        def value(langs: Hashable) -> np.ndarray:
            assert isinstance(langs, frozenset)
            if not langs:
                return np.full(self.m, NEUTRAL, np.float32)
            return np.where(unknown, NEUTRAL, shared(langs).astype(np.float32))

        if weight > 0:
            self._table_criterion("language", CRITERIA["language"], weight, seeker_sets, value)
        if required:
            self._table_rule("require_shared_language", "the shared-language rule",
                             "They speak a common language, as the program requires.", seeker_sets,
                             lambda langs: ~shared(langs))

    def time_zone_gap_hours(self, seeker_offset: float, offerer_offsets: np.ndarray) -> np.ndarray:
        """Hours between UTC offsets, the short way round the clock (NaN when unknown)."""
        gap = np.abs(offerer_offsets - seeker_offset) / 60
        return np.minimum(gap, 24 - gap)

    def _time_zones(self, weight: float, max_gap: int | None) -> None:
        offsets = [float(o) if not math.isnan(o) else None for o in self.seeker_offsets]

        def gap(offset: Hashable) -> np.ndarray:
            if offset is None:
                return np.full(self.m, np.nan)
            assert isinstance(offset, float)
            return self.time_zone_gap_hours(offset, self.offerer_offsets)

        if weight > 0:
            self._table_criterion(
                "time_zone", CRITERIA["time_zone"], weight, offsets,
                lambda o: np.nan_to_num(np.clip(1 - gap(o) / 12, 0, 1), nan=NEUTRAL))
        if max_gap is not None:
            self._table_rule("max_time_zone_gap", "the time-zone gap rule",
                             f"Their time zones are at most {max_gap} h apart, as the program requires.",
                             offsets, lambda o: np.nan_to_num(gap(o), nan=0.0) > max_gap + 1e-6)

    def _departments(self, weight: float, avoid: bool) -> None:
        offerer_depts = [department_of(p) for p in self.offerers]
        codes, classes = _class_codes(offerer_depts)
        unknown = np.array([not d for d in offerer_depts], dtype=bool)
        offerer_codes = codes
        seeker_depts = [department_of(p) for p in self.seekers]

        def same(dept: Hashable) -> np.ndarray:
            if not dept or dept not in classes:
                return np.zeros(self.m, bool)
            return offerer_codes == classes.index(dept)

        if weight > 0:
            self._table_criterion("department", CRITERIA["department"], weight, seeker_depts,
                                  lambda d: np.where(unknown | (not d), NEUTRAL, (~same(d)).astype(np.float32)))
        if avoid:
            self._table_rule("avoid_same_department", "the same-department rule",
                             "They work in different departments, as the program requires.", seeker_depts, same)

    def _question(self, key: str, label: str, kind: str) -> None:
        weight = self.settings.weight_of(key, self.settings.question_weight)
        if weight <= 0 or kind == "long_text":  # long texts are compared as goals
            return
        if kind == "scale":
            seeker_values = [scale_value(p.answers.get(key)) for p in self.seekers]
            offerer_values = np.array([scale_value(p.answers.get(key)) for p in self.offerers], np.float64)
            known = [v for v in (*seeker_values, *offerer_values.tolist()) if not math.isnan(v)]
            spread = max(max(known) - min(known), 1.0) if known else 1.0

            def closeness(v: Hashable) -> np.ndarray:
                assert isinstance(v, float)
                return np.nan_to_num(1 - np.abs(offerer_values - v) / spread, nan=NEUTRAL)

            self._table_criterion(key, label, weight,
                                  [None if math.isnan(v) else v for v in seeker_values],
                                  lambda v: np.full(self.m, NEUTRAL) if v is None else closeness(v))
            return
        # Choices, tags and short texts: the overlap of two sets (a short text is a one-item set,
        # compared case-insensitively).
        seeker_sets = [answer_values(p.answers.get(key)) for p in self.seekers]
        offerer_sets = [answer_values(p.answers.get(key)) for p in self.offerers]
        vocab = sorted({v for s in (*seeker_sets, *offerer_sets) for v in s})
        index = {v: i for i, v in enumerate(vocab)}
        hot = np.zeros((max(len(vocab), 1), self.m), dtype=np.float32)
        for j, values in enumerate(offerer_sets):
            for v in values:
                hot[index[v], j] = 1.0
        sizes = hot.sum(axis=0)
        missing = sizes == 0

        def jaccard(values: Hashable) -> np.ndarray:
            assert isinstance(values, frozenset)
            if not values:
                return np.full(self.m, NEUTRAL, np.float32)
            inter = hot[[index[v] for v in values]].sum(axis=0)
            union = sizes + len(values) - inter
            return np.where(missing, NEUTRAL, inter / np.maximum(union, 1)).astype(np.float32)

        self._table_criterion(key, label, weight, seeker_sets, jaccard)

    def _plugin(self, key: str, criterion: MatchCriterion, weight: float) -> None:
        def block(rows: slice) -> np.ndarray:
            values = np.asarray(criterion.score(self.pool, self.seekers[rows], self.offerers), dtype=np.float32)
            if values.shape != (rows.stop - rows.start, self.m):
                raise ValueError(f"criterion {key!r} returned a {values.shape} array for "
                                 f"{rows.stop - rows.start} x {self.m} pairs")
            return np.where(np.isnan(values), np.nan, np.clip(values, 0, 1)).astype(np.float32)

        def pairs(r: np.ndarray, c: np.ndarray) -> np.ndarray:
            out = np.empty(len(r), np.float32)
            for i, (a, b) in enumerate(zip(r.tolist(), c.tolist(), strict=True)):
                value = np.asarray(criterion.score(self.pool, [self.seekers[a]], [self.offerers[b]]), np.float32)
                out[i] = value.reshape(-1)[0]
            return np.where(np.isnan(out), np.nan, np.clip(out, 0, 1)).astype(np.float32)

        self.criteria.append(Criterion(key, criterion.label, weight, block, pairs, plugin=criterion))

    def _pair_rules(self) -> None:
        seeker_by_user: dict[int, list[int]] = {}
        for i, p in enumerate(self.seekers):
            seeker_by_user.setdefault(p.user_id, []).append(i)
        offerer_by_user: dict[int, list[int]] = {}
        for j, p in enumerate(self.offerers):
            offerer_by_user.setdefault(p.user_id, []).append(j)

        def by_users(pairs: Iterator[tuple[int, int]]) -> set[tuple[int, int]]:
            return {(i, j) for a, b in pairs for i in seeker_by_user.get(a, ()) for j in offerer_by_user.get(b, ())}

        same = by_users((u, u) for u in seeker_by_user)
        avoid = by_users((p.user_id, other) for p in self.seekers for other in p.avoid)
        avoid |= by_users((other, p.user_id) for p in self.offerers for other in p.avoid)
        groups: list[tuple[str, str, str, set[tuple[int, int]]]] = [
            ("same_person", "being the same person", "They are two different people.", same),
            ("avoid", "a \"not with\" wish", "Neither asked not to be matched with the other.", avoid),
        ]
        if self.settings.avoid_earlier_partners:
            earlier = by_users(iter(self.pool.earlier_partners()))
            groups.append(("earlier_partner", "having been partners before",
                           "They have not been partners in this program before.", earlier))
        if self.forbid_pairs:
            groups.append(("pinned", "a pinned pair already", "", set(self.forbid_pairs)))
        for key, reason, sentence, pairs in groups:
            self._pair_rule(key, reason, sentence, pairs)
            self.rules[-1].shown = key == "earlier_partner" or (key == "avoid" and bool(pairs))

    def _pair_rule(self, key: str, reason: str, sentence: str, pairs: set[tuple[int, int]]) -> None:
        ordered = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
        keys = ordered[:, 0] * max(self.m, 1) + ordered[:, 1]

        def block(rows: slice) -> np.ndarray:
            mask = np.zeros((rows.stop - rows.start, self.m), dtype=bool)
            a, b = np.searchsorted(ordered[:, 0], [rows.start, rows.stop])
            mask[ordered[a:b, 0] - rows.start, ordered[a:b, 1]] = True
            return mask

        def pairs_of(r: np.ndarray, c: np.ndarray) -> np.ndarray:
            return np.isin(r * max(self.m, 1) + c, keys)

        self.rules.append(Rule(key, reason, sentence, block, pairs_of, listed=ordered))
