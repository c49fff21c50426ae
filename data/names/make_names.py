"""Write names.txt: the distinct US first names of the 1990 census, lower-case, one per line, sorted.

    python data/names/make_names.py                 # downloads the source with pip (needs internet)
    python data/names/make_names.py --sdist FILE    # uses a names-0.3.0.tar.gz you already have

Source. The PyPI package ``names`` 0.3.0 (Trey Hunner) ships the 1990 US census first-name lists as
``names/dist.male.first`` (1,219 names) and ``names/dist.female.first`` (4,275 names). Each line holds a
name in capitals followed by three numbers (frequency in percent, cumulative frequency, rank); only
the name is kept. The package's README states that these files are public domain (derived from 1990
Census data); the package's code is MIT-licensed, and no code of it is used here.

What the script does: fetch the source distribution with ``pip download --no-deps --no-binary :all:
names==0.3.0`` into a temporary folder (or take the file given with --sdist), check its SHA-256, read
the two lists straight from the archive, lower-case every name, merge the two lists (331 names are in
both), sort alphabetically and write one name per line. The result is the same file every time.

The train / held-out split is not stored: ``helpers.tasks.language_model.load_names`` holds out every
tenth name of this file (lines 10, 20, 30, ...), which spreads the held-out names over the alphabet.
"""
from __future__ import annotations

import argparse
import hashlib
import string
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

SDIST = "names-0.3.0.tar.gz"
SHA256 = "726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671"
MEMBERS = {"names-0.3.0/names/dist.male.first": 1219, "names-0.3.0/names/dist.female.first": 4275}
OUT = Path(__file__).resolve().parent / "names.txt"


def download(folder: Path) -> Path:
    """pip download the source distribution into ``folder``; returns the archive's path."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                    "names==0.3.0", "-d", str(folder)], check=True)
    return folder / SDIST


def read_names(sdist: Path) -> list:
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{sdist.name}: SHA-256 {digest} is not the expected {SHA256}")
    names = set()
    with tarfile.open(sdist, "r:gz") as archive:
        for member, expected in MEMBERS.items():
            lines = archive.extractfile(member).read().decode("ascii").splitlines()
            rows = [line.split()[0].lower() for line in lines if line.strip()]
            if len(rows) != expected:
                raise SystemExit(f"{member}: expected {expected} names, found {len(rows)}")
            names.update(rows)
    bad = sorted(n for n in names if not set(n) <= set(string.ascii_lowercase))
    if bad:
        raise SystemExit(f"unexpected characters in {bad[:5]}")
    return sorted(names)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", type=Path, help=f"an existing {SDIST} (default: download it with pip)")
    args = parser.parse_args(argv)
    if args.sdist is not None:
        names = read_names(args.sdist)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            names = read_names(download(Path(tmp)))
    OUT.write_text("\n".join(names) + "\n", encoding="ascii")
    print(f"wrote {len(names)} names to {OUT.name}")


if __name__ == "__main__":
    main()
