#!/usr/bin/env python3
"""Print columns of an export, one row a line, the cells TAB-separated.

    cells.py EXPORT COLUMN...

A CSV export's cells as they stand (an empty cell is empty); a JSON
export's values as JSON writes them, so that their types show (1,
"1", true, null).  For tests that look at a few columns of an export
whose cells may hold commas and quotes.
"""

import csv
import json
import sys


def main(argv):
    path, names = argv[1], argv[2:]
    with open(path, newline="", encoding="utf-8") as f:
        if f.read(1) == "[":
            f.seek(0)
            rows = [[json.dumps(r[n], ensure_ascii=False) for n in names]
                    for r in json.load(f)]
        else:
            f.seek(0)
            rows = [[r[n] for n in names] for r in csv.DictReader(f)]
    for r in rows:
        print("\t".join(r))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
