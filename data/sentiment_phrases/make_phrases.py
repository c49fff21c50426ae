"""Write phrases.tsv: short movie-review phrases with a sentiment label, for the many-to-one task.

    python data/sentiment_phrases/make_phrases.py

Each line of phrases.tsv is ``text<TAB>label``, label 1 (positive) or 0 (negative). A phrase is
lower-case words separated by single spaces, without punctuation, so splitting on spaces gives its
tokens.

How the phrases are made. The word lists and the frames below were written by hand for this course.
Every frame puts one opinion word in a short context, with or without a negation; the label is the
word's polarity, flipped once if the frame negates it ("not good" -> 0, "not bad" -> 1, "i did not
like it" -> 0). All combinations are listed, and a seeded random choice of N_PHRASES of them, half
positive and half negative, is written in a shuffled order, so running the script again gives the
same file. Each opinion word appears in several phrases, with and without negation: a model that only
counts words cannot tell "good" from "not good", a model that reads the words in order can.
"""
from __future__ import annotations

import random
import re
import sys
from pathlib import Path

N_PHRASES = 400
SEED = 2024

POSITIVE_WORDS = ("good", "great", "fun", "funny", "clever", "lovely", "wonderful", "brilliant")
NEGATIVE_WORDS = ("bad", "awful", "boring", "dull", "slow", "terrible", "silly", "weak")
INTENSIFIERS = ("very", "really", "so", "quite")
SUBJECTS = ("the movie", "the film", "the story", "the acting", "the ending", "it")
VERBS = ("was", "is")

# {w}: the opinion word; {i}: an intensifier; {s}: a subject; {v}: was / is.
# The flag says whether the frame negates the opinion word.
FRAMES = (
    ("{w}", False),
    ("{i} {w}", False),
    ("not {w}", True),
    ("not {i} {w}", True),
    ("not {w} at all", True),
    ("{s} {v} {w}", False),
    ("{s} {v} {i} {w}", False),
    ("{s} {v} not {w}", True),
    ("{s} {v} not {i} {w}", True),
    ("{s} {v} never {w}", True),
    ("{s} {v} not {w} at all", True),
)

# Whole phrases whose opinion is a verb rather than an adjective (label as written).
VERB_PHRASES = (
    ("i liked it", 1), ("i did not like it", 0),
    ("i loved it", 1), ("i did not love it", 0),
    ("i enjoyed it", 1), ("i did not enjoy it", 0),
    ("i hated it", 0), ("i did not hate it", 1),
    ("i would watch it again", 1), ("i would not watch it again", 0),
    ("i laughed a lot", 1), ("i did not laugh", 0),
    ("worth every minute", 1), ("not worth it", 0),
    ("a waste of time", 0), ("not a waste of time", 1),
)

HERE = Path(__file__).resolve().parent
OUT = HERE / "phrases.tsv"


def all_phrases():
    """Every (text, label) the word lists and frames can make, in a fixed order, without duplicates."""
    pairs = []
    for word in POSITIVE_WORDS + NEGATIVE_WORDS:
        polarity = 1 if word in POSITIVE_WORDS else 0
        for frame, negated in FRAMES:
            label = 1 - polarity if negated else polarity
            for s in (SUBJECTS if "{s}" in frame else ("",)):
                for v in (VERBS if "{v}" in frame else ("",)):
                    for i in (INTENSIFIERS if "{i}" in frame else ("",)):
                        pairs.append((frame.format(w=word, i=i, s=s, v=v), label))
    pairs.extend(VERB_PHRASES)
    seen, unique = set(), []
    for text, label in pairs:
        if text not in seen:
            seen.add(text)
            unique.append((text, label))
    return unique


def always_kept():
    """The phrases every version of the file holds: each opinion word alone and negated, and the verb phrases."""
    words = [(w, 1) for w in POSITIVE_WORDS] + [(w, 0) for w in NEGATIVE_WORDS]
    return words + [(f"not {w}", 1 - label) for w, label in words] + list(VERB_PHRASES)


def choose(pairs, n=N_PHRASES, seed=SEED):
    """A seeded choice of n phrases, n // 2 of each label, that keeps ``always_kept()``, shuffled."""
    rng = random.Random(seed)
    fixed = always_kept()
    chosen = list(fixed)
    for label in (0, 1):
        pool = [p for p in pairs if p[1] == label and p not in fixed]
        need = n // 2 - sum(1 for p in fixed if p[1] == label)
        chosen.extend(rng.sample(pool, need))
    rng.shuffle(chosen)
    return chosen


def check(pairs):
    """Raise ValueError on an empty phrase, a duplicate, a bad character or a bad label."""
    seen = set()
    for text, label in pairs:
        if not re.fullmatch(r"[a-z]+( [a-z]+)*", text):
            raise ValueError(f"phrase {text!r} must be lower-case words separated by single spaces")
        if text in seen:
            raise ValueError(f"phrase {text!r} appears twice")
        if label not in (0, 1):
            raise ValueError(f"phrase {text!r} has label {label!r}, expected 0 or 1")
        seen.add(text)


def main():
    pairs = choose(all_phrases())
    check(pairs)
    OUT.write_text("".join(f"{text}\t{label}\n" for text, label in pairs), encoding="utf-8")
    n_pos = sum(label for _, label in pairs)
    print(f"wrote {len(pairs)} phrases ({n_pos} positive, {len(pairs) - n_pos} negative) to {OUT.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
