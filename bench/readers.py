"""`python -m bench.readers READER LIST OUT.json`: a raw reader alone, as its own process.

Reads every sheet of every workbook named in LIST (one path a line) into a pandas
DataFrame, first row as header, and nothing else: the floor the pipeline's reading
is compared with. Imports happen before the clock starts.

  calamine   python-calamine: CalamineWorkbook → sheet.to_python() → pd.DataFrame
  fastexcel  fastexcel: read_excel → load_sheet_by_name → to_polars() (its native frame;
             its to_pandas() needs pyarrow, kept out of the environment on purpose: with
             pyarrow installed pandas 3 imports it at start-up and stores every string
             column in it, which made the pipeline itself 10–20 % slower and 47 MB bigger)
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def read_calamine(path: str) -> int:
    from python_calamine import CalamineWorkbook

    rows = 0
    workbook = CalamineWorkbook.from_path(path)
    try:
        for name in workbook.sheet_names:
            values = workbook.get_sheet_by_name(name).to_python()
            frame = pd.DataFrame(values[1:], columns=values[0]) if values else pd.DataFrame()
            rows += len(frame)
    finally:
        workbook.close()
    return rows


def read_fastexcel(path: str) -> int:
    import fastexcel

    rows = 0
    reader = fastexcel.read_excel(path)
    for name in reader.sheet_names:
        rows += reader.load_sheet_by_name(name).to_polars().height
    return rows


READERS: dict[str, Callable[[str], int]] = {"calamine": read_calamine, "fastexcel": read_fastexcel}


def main(argv: list[str]) -> int:
    name, listing, out = argv
    logging.getLogger("fastexcel").setLevel(logging.ERROR)  # "falling back to string" notes
    read = READERS[name]
    if name == "fastexcel":
        import fastexcel  # noqa: F401
        import polars  # noqa: F401
    else:
        import python_calamine  # noqa: F401
    paths = Path(listing).read_text(encoding="utf-8").split("\n")
    paths = [p for p in paths if p]
    start, cpu = time.perf_counter(), time.process_time()
    rows = sum(read(p) for p in paths)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    Path(out).write_text(json.dumps({"reader": name, "files": len(paths), "rows": rows,
                                     "seconds": seconds, "cpu": cpu}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
