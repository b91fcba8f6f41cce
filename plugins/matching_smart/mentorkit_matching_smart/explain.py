"""Why a pair was proposed, in words a coordinator (or the participant) reads.

Each proposal gets one ``CriterionScore`` per criterion, best contribution first, then one per
must rule it passed (weight 0). ``contribution`` is ``weight * value / sum of weights``, so
the contributions add up to the score.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mentorkit.contracts import CriterionScore, PoolEnrolment
from mentorkit_matching_smart.scoring import (
    NEUTRAL,
    SENIORITY,
    SLOT_MINUTES,
    PairScorer,
    answer_values,
    department_of,
    languages_of,
    scale_value,
    seniority_level,
)
from mentorkit_matching_smart.settings import CRITERIA, SmartMatchingSettings

LANGUAGES = {
    "ar": "Arabic", "bn": "Bengali", "ca": "Catalan", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "eu": "Basque", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "gl": "Galician", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian",
    "it": "Italian", "ja": "Japanese", "ko": "Korean", "nl": "Dutch", "no": "Norwegian", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sv": "Swedish", "sw": "Swahili", "th": "Thai",
    "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese",
}
_SHOWN_ITEMS = 3


def explain(settings: SmartMatchingSettings, key: str, value: float, sentence: str) -> CriterionScore:
    """How criterion ``key`` with raw ``value`` (0 to 1) counts under these settings
    (contribution ``weight * value``; proposals use ``explain_pairs``, which also divides by
    the sum of the weights)."""
    if key in CRITERIA:
        weight, label = float(getattr(settings, f"{key}_weight")), CRITERIA[key]
    else:
        weight, label = settings.weight_of(key, settings.question_weight), key
    return CriterionScore(key=key, label=label, weight=weight, value=value, contribution=weight * value,
                          sentence=sentence)


def _listing(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_SHOWN_ITEMS])
    return shown + (", …" if len(items) > _SHOWN_ITEMS else "")


def _hours(hours: float) -> str:
    return f"{round(hours)}" if abs(hours - round(hours)) < 0.05 else f"{hours:.1f}"


def _language(code: str) -> str:
    return LANGUAGES.get(code, code)


def _level(level: int) -> str:
    return SENIORITY[level].capitalize()


class Explainer:
    """Sentences for chosen pairs of a ``PairScorer``."""

    def __init__(self, scorer: PairScorer, offerer_label: str = "Mentor", *, for_participants: bool = False) -> None:
        self.scorer = scorer
        self.offerer_label = offerer_label
        # Participants read suggestions: no words quoted from someone else's bio or headline
        # (they may hide them; the core filters sentences by criterion key, and "goals" reads both).
        self.for_participants = for_participants

    def _label(self, tag_key: str) -> str:
        """What people read for a tag key (the key itself when the pool has no label)."""
        return self.scorer.pool.tag_labels.get(tag_key, tag_key)

    def explain_pairs(self, rows: Sequence[int] | np.ndarray,
                      cols: Sequence[int] | np.ndarray) -> list[list[CriterionScore]]:
        """One explanation (a list of ``CriterionScore``) per pair ``(rows[i], cols[i])``."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        values = self.scorer.values(rows, cols)
        total = self.scorer.total_weight or 1.0
        rules = [rule for rule in self.scorer.passed_rules() if rule.shown and rule.sentence]
        out = []
        for i, (r, c) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
            seeker, offerer = self.scorer.seekers[r], self.scorer.offerers[c]
            scores = []
            for criterion in self.scorer.criteria:
                value = float(values[criterion.key][i])
                scores.append(CriterionScore(
                    key=criterion.key, label=criterion.label, weight=criterion.weight, value=round(value, 4),
                    contribution=round(criterion.weight * value / total, 4),
                    sentence=self.sentence(criterion.key, seeker, offerer, r, c, value)))
            scores.sort(key=lambda s: -s.contribution)
            scores += [CriterionScore(key=f"rule:{rule.key}", label="Rule", weight=0.0, value=1.0, contribution=0.0,
                                      sentence=rule.sentence) for rule in rules]
            out.append(scores)
        return out

    def sentence(self, key: str, seeker: PoolEnrolment, offerer: PoolEnrolment, r: int, c: int,
                 value: float) -> str:
        """The sentence for one criterion of one pair."""
        method = getattr(self, f"_{key}", None)
        if method is not None:
            return str(method(seeker, offerer, r, c, value))
        criterion = next(x for x in self.scorer.criteria if x.key == key)
        if criterion.plugin is not None:
            return criterion.plugin.sentence(seeker, offerer, value)
        return self._question(key, criterion.label, seeker, offerer)

    # one method per built-in criterion

    def _skills(self, seeker: PoolEnrolment, offerer: PoolEnrolment, r: int, c: int, value: float) -> str:
        sought = list(dict.fromkeys(seeker.skills_sought))
        if not sought:
            return f"{seeker.display_name} has not listed skills to learn."
        offered = set(offerer.skills_offered)
        shared = [t for t in sought if t in offered]
        shared_labels = [self._label(t) for t in shared]
        if not shared:
            if len(sought) == 1:
                return f"Does not offer the skill {seeker.display_name} seeks ({self._label(sought[0])})."
            return f"Shares none of the {len(sought)} skills {seeker.display_name} seeks."
        if len(shared) == len(sought) == 1:
            return f"Offers the skill {seeker.display_name} seeks ({shared_labels[0]})."
        if len(shared) == len(sought):
            return f"Offers all {len(sought)} skills {seeker.display_name} seeks ({_listing(shared_labels)})."
        return (f"Shares {len(shared)} of the {len(sought)} skills {seeker.display_name} seeks "
                f"({_listing(shared_labels)}).")

    def _goals(self, seeker: PoolEnrolment, offerer: PoolEnrolment, r: int, c: int, value: float) -> str:
        seekers, offerers = self.scorer.goal_rows
        mine, theirs = seekers.row(r), offerers.row(c)
        if (not mine or not theirs) and not (seeker.headline or seeker.bio or seeker.skills_sought):
            return f"{seeker.display_name} has not written goals to compare."
        common = sorted(set(mine) & set(theirs), key=lambda w: -mine[w] * theirs[w])
        if not common:
            return "Their goals and profiles use different words."
        if self.for_participants:
            return "Their goals and profiles have words in common."
        vocab = self.scorer.goal_vocab
        return f"Their goals and profiles share words ({_listing([vocab[w] for w in common])})."

    def _seniority(self, seeker: PoolEnrolment, offerer: PoolEnrolment, r: int, c: int, value: float) -> str:
        s, o = seniority_level(seeker), seniority_level(offerer)
        if s < 0 or o < 0:
            missing = seeker.display_name if s < 0 else offerer.display_name
            return f"Seniority not given by {missing}."
        levels = f"({_level(o)} → {_level(s)})"
        reverse = self.scorer.pool.program.seniority_direction == "junior_mentors"
        if o == s:
            return f"Same seniority ({_level(o)})."
        if o > s:
            return f"{self.offerer_label} is more senior {levels}" + (
                ", though this program wants the other way round." if reverse else ".")
        return f"{self.offerer_label} is more junior {levels}" + (
            ", as reverse mentoring wants." if reverse else ".")

    def _time_zone(self, seeker: PoolEnrolment, offerer: PoolEnrolment, r: int, c: int, value: float) -> str:
        a, b = self.scorer.seeker_offsets[r], self.scorer.offerer_offsets[c]
        if np.isnan(a) or np.isnan(b):
            return "Time zone unknown."
        gap = abs(float(a) - float(b)) / 60
        gap = min(gap, 24 - gap)
        if gap < 0.01:
            return "Same time zone."
        return f"{_hours(gap)} h time-zone difference."

    def _language(self, seeker: PoolEnrolment, offerer: PoolEnrolment, r: int, c: int, value: float) -> str:
        mine, theirs = languages_of(seeker), languages_of(offerer)
        if not mine or not theirs:
            return f"Languages not given by {seeker.display_name if not mine else offerer.display_name}."
        shared = sorted(_language(x) for x in mine & theirs)
        if not shared:
            return "No common language."
        return f"Both speak {' and '.join(shared[:2])}" + (" and more." if len(shared) > 2 else ".")

    def _availability(self, seeker: PoolEnrolment, offerer: PoolEnrolment, r: int, c: int, value: float) -> str:
        seekers, offerers = self.scorer.availability_rows
        mine, theirs = seekers.row(r), offerers.row(c)
        if not mine or not theirs:
            return f"Availability not given by {seeker.display_name if not mine else offerer.display_name}."
        overlap = sum(min(v, theirs[k]) for k, v in mine.items() if k in theirs) * SLOT_MINUTES / 60
        if overlap < 0.25:
            return "No overlapping weekly availability."
        return f"Available together {_hours(overlap)} h a week."

    def _department(self, seeker: PoolEnrolment, offerer: PoolEnrolment, r: int, c: int, value: float) -> str:
        if not department_of(seeker) or not department_of(offerer):
            return "Department unknown."
        if department_of(seeker) == department_of(offerer):
            return f"Same department ({offerer.department})."
        return f"Different departments ({offerer.department}, {seeker.department})."

    def _question(self, key: str, label: str, seeker: PoolEnrolment, offerer: PoolEnrolment) -> str:
        kind = next((q.kind for q in self.scorer.pool.questions if q.key == key), "")
        a, b = seeker.answers.get(key), offerer.answers.get(key)
        if kind == "scale":
            x, y = scale_value(a), scale_value(b)
            if np.isnan(x) or np.isnan(y):
                return f"'{label}' not answered by {seeker.display_name if np.isnan(x) else offerer.display_name}."
            return f"Answers to '{label}': {_hours(y)} and {_hours(x)}."
        mine, theirs = answer_values(a), answer_values(b)
        if not mine or not theirs:
            return f"'{label}' not answered by {seeker.display_name if not mine else offerer.display_name}."
        shared = sorted(mine & theirs)
        if not shared:
            return f"Different answers to '{label}'."
        shown = [self._label(x) for x in shared] if kind == "tags" else shared
        if mine == theirs:
            return f"Same answer to '{label}' ({_listing(shown)})."
        return f"Answers to '{label}' share {_listing(shown)}."


def neutral(value: float) -> bool:
    """True for the value a criterion gives when one side did not say."""
    return abs(value - NEUTRAL) < 1e-6
