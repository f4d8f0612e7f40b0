"""Gazetteer load benchmark (not a test): `sitrep gazetteer load` on a synthetic GeoNames dump; time and disk.

Writes a zip in the format of GeoNames' allCountries.zip (the 19-column main table) with --rows rows, their
feature classes in about the proportions of the real dump (a third populated places, a few administrative
areas, the rest streams, hills, spots and areas, which are not kept), plus an alternateNamesV2.zip with one
alternate name per populated place. It loads both into a private cache with `sitrep gazetteer load`, which
also builds the index with them, and prints the seconds taken, the rows kept and the disk used.

    .venv/bin/python bench/gazetteer_load.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

CLASSES = ["P"] * 33 + ["A"] * 2 + ["H"] * 25 + ["T"] * 20 + ["S"] * 12 + ["L"] * 5 + ["V"] * 3
SYLLABLES = ["kha", "ra", "bet", "zu", "mil", "dar", "ka", "sa", "lo", "ni", "qa", "tu", "ba", "wa", "ye", "gor"]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def write_dump(folder: Path, rows: int, seed: int = 7) -> list[Path]:
    """The synthetic main table and alternate names, zipped as GeoNames ships them."""
    rng = random.Random(seed)
    main, alternates = folder / "allCountries.zip", folder / "alternateNamesV2.zip"
    with zipfile.ZipFile(main, "w", zipfile.ZIP_DEFLATED) as z, z.open("allCountries.txt", "w") as out:
        for i in range(rows):
            fclass = rng.choice(CLASSES)
            code = {"P": "PPL", "A": "ADM2"}.get(fclass, "STM")
            name = _name(rng)
            cols = [str(20_000_000 + i), name, name, f"{name}a,{name}e", f"{rng.uniform(-50, 60):.5f}",
                    f"{rng.uniform(-120, 150):.5f}", fclass, code, rng.choice(["SY", "NG", "AF", "MX", "UA"]), "",
                    f"{rng.randint(1, 30):02d}", str(rng.randint(1, 500)), "", "", str(rng.choice([0, 0, 0, 120, 800])),
                    "", "350", "Etc/UTC", "2024-01-01"]
            out.write(("\t".join(cols) + "\n").encode())
    rng = random.Random(seed)
    with zipfile.ZipFile(alternates, "w", zipfile.ZIP_DEFLATED) as z, z.open("alternateNamesV2.txt", "w") as out:
        for i in range(0, rows, 3):
            out.write(f"{90_000_000 + i}\t{20_000_000 + i}\ten\t{_name(rng)}\t\t\t\t\t\t\n".encode())
    return [main, alternates]


def main() -> int:
    """Write the dump, load it with the CLI, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows of the synthetic main table")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.monotonic()
        files = write_dump(folder, args.rows)
        print(f"synthetic dump: {args.rows:,} rows, {sum(f.stat().st_size for f in files) / 1e6:.0f} MB zipped "
              f"(written in {time.monotonic() - t0:.0f} s)")
        env = {**os.environ, "SITREP_CACHE": str(folder / "cache")}
        t0 = time.monotonic()
        subprocess.run([str(Path(sys.executable).with_name("sitrep")), "gazetteer", "load", *map(str, files)], env=env,
                       check=True, stderr=subprocess.DEVNULL)
        took = time.monotonic() - t0
        sizes = {p.name: p.stat().st_size for p in (folder / "cache").iterdir() if p.suffix == ".sqlite"}
        print(f"load + index build: {took:.0f} s ({args.rows / took:,.0f} dump rows/s)")
        for name, size in sorted(sizes.items()):
            print(f"  {name}: {size / 1e6:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
