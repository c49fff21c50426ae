"""Write sentences.txt: short English sentences made by a small random grammar, for word-level models.

    python data/grammar_sentences/make_sentences.py

Each line is one sentence: lower-case words separated by single spaces, no punctuation (numbers are
written with digits, e.g. "15"). Splitting on spaces, or ``helpers.tasks.text.tokenize_words``, gives its
words.

How the sentences are made. The word lists, their weights and the seven sentence frames below were
written by hand for this course; no external text was used. For each sentence the script draws a frame,
then fills every slot with a word drawn with the listed weights, using ``random.Random(SEED)``, so the
same file comes out every time. The frames echo the lecture's examples:

- "<animals> average <n> hours of sleep a day"   ("cats average 15 hours of sleep a day"); every animal
  has its own range of hours, so the number depends on the animal;
- "the <fruit> and <fruit> salad was <taste>"    (the apple and pear salad);
- "the <animal> which already ate <food> was full" and the plural "... <animals> ... were full"
  (the verb agrees with a noun several words earlier);
- "<person> bought a pair of <clothes>"          (so "pair" is a word of the corpus, next to "pear");
- "<person> made <a/an> <fruit> and <fruit> salad", "my <animal> sleeps on the <place>",
  "the <animals> sleep on the <place>".

The weights make a few words common and many rare (most people's names, some fruits and animals
occur a handful of times), so a top-k vocabulary leaves real words out and a model meets <UNK>.
The train / held-out split is not stored: ``helpers.tasks.language_model.load_sentences`` holds out every
tenth line.
"""
from __future__ import annotations

import random
from pathlib import Path

N_SENTENCES = 2000
SEED = 1990
OUT = Path(__file__).resolve().parent / "sentences.txt"

# singular, plural, weight, hours of sleep a day (low, high)
ANIMALS = (
    ("cat", "cats", 30, (12, 16)), ("dog", "dogs", 20, (10, 14)), ("lion", "lions", 8, (18, 20)),
    ("koala", "koalas", 8, (18, 22)), ("horse", "horses", 8, (2, 4)), ("bat", "bats", 6, (19, 20)),
    ("sloth", "sloths", 2, (14, 16)), ("giraffe", "giraffes", 2, (2, 5)), ("hamster", "hamsters", 2, (12, 14)),
    ("otter", "otters", 1, (11, 13)),
)
FRUITS = (("apple", 20), ("pear", 15), ("banana", 10), ("orange", 10), ("mango", 5), ("peach", 4),
          ("grape", 3), ("plum", 2), ("kiwi", 1), ("fig", 1), ("cherry", 1), ("lime", 1))
TASTES = (("delicious", 10), ("sweet", 5), ("fresh", 5), ("amazing", 2), ("sour", 2), ("bland", 1))
FOODS = (("a bunch of food", 6), ("some fish", 5), ("a bowl of rice", 4), ("an apple", 3), ("a pear", 3),
         ("the whole salad", 2), ("a banana", 2), ("some cheese", 1))
CLOTHES = (("shoes", 10), ("socks", 8), ("gloves", 5), ("boots", 4), ("jeans", 3), ("sandals", 1),
           ("slippers", 1))
PLACES = (("sofa", 8), ("bed", 8), ("chair", 4), ("floor", 5), ("rug", 3), ("windowsill", 2), ("roof", 2))
PEOPLE = (("maya", 12), ("tomas", 10), ("sara", 6), ("ali", 5), ("lena", 3), ("omar", 3), ("nina", 2),
          ("hugo", 2), ("ines", 1), ("kofi", 1), ("yuki", 1), ("ravi", 1), ("elsa", 1), ("ivan", 1),
          ("zara", 1), ("ben", 1))
FRAMES = (("sleep_hours", 25), ("salad_taste", 20), ("ate_full", 15), ("pair_of", 12), ("made_salad", 10),
          ("my_sleeps", 10), ("they_sleep", 8))


def pick(rng: random.Random, table):
    """One entry of a (item, weight) table, or of the ANIMALS table (weight in column 2)."""
    weights = [row[-1] if len(row) == 2 else row[2] for row in table]
    return rng.choices(table, weights=weights)[0]


def two_fruits(rng: random.Random):
    first = pick(rng, FRUITS)[0]
    second = first
    while second == first:
        second = pick(rng, FRUITS)[0]
    return first, second


def sentence(rng: random.Random) -> str:
    frame = pick(rng, FRAMES)[0]
    if frame == "sleep_hours":
        _, plural, _, (low, high) = pick(rng, ANIMALS)
        return f"{plural} average {rng.randint(low, high)} hours of sleep a day"
    if frame == "salad_taste":
        first, second = two_fruits(rng)
        return f"the {first} and {second} salad was {pick(rng, TASTES)[0]}"
    if frame == "ate_full":
        singular, plural, _, _ = pick(rng, ANIMALS)
        food = pick(rng, FOODS)[0]
        if rng.random() < 0.5:
            return f"the {singular} which already ate {food} was full"
        return f"the {plural} which already ate {food} were full"
    if frame == "pair_of":
        return f"{pick(rng, PEOPLE)[0]} bought a pair of {pick(rng, CLOTHES)[0]}"
    if frame == "made_salad":
        first, second = two_fruits(rng)
        article = "an" if first[0] in "aeiou" else "a"
        return f"{pick(rng, PEOPLE)[0]} made {article} {first} and {second} salad"
    if frame == "my_sleeps":
        return f"my {pick(rng, ANIMALS)[0]} sleeps on the {pick(rng, PLACES)[0]}"
    return f"the {pick(rng, ANIMALS)[1]} sleep on the {pick(rng, PLACES)[0]}"


def main() -> None:
    rng = random.Random(SEED)
    lines = [sentence(rng) for _ in range(N_SENTENCES)]
    OUT.write_text("\n".join(lines) + "\n", encoding="ascii")
    words = [w for line in lines for w in line.split()]
    print(f"wrote {len(lines)} sentences ({len(words)} words, {len(set(words))} distinct, "
          f"{len(set(lines))} distinct sentences) to {OUT.name}")


if __name__ == "__main__":
    main()
