#!/usr/bin/env python3
"""Load a sortes export with its data dictionary, as an evaluator would.

    load.py EXPORT DICTIONARY EXPECTED

EXPORT is a CSV or JSON export (`sortes export allocations|followups`),
DICTIONARY its CSV on the Web metadata, EXPECTED a JSON array of the
rows the database holds, in the export's order (the test writes it
with sqlite3): each value typed as JSON types it, and a date or a time
as {"date": "YYYY-MM-DD"} or {"datetime": "YYYY-MM-DDTHH:MM:SSZ"}.

The export is read with nothing but the csv and json modules and the
dictionary: its columns, their datatypes, which may be empty, and the
codes a coded column allows.  Every value is converted as the
dictionary says, and must then equal the database's, type and all.
Prints "ok: ..." and exits 0, or names the first difference and exits 1.
"""

import csv
import datetime
import json
import re
import sys

SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}\Z")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class Refused(Exception):
    pass


def datatype(column):
    """The column's CSVW base datatype and its format (or None)."""
    t = column["datatype"]
    if isinstance(t, str):
        return t, None, t
    return t["base"], t.get("format"), t


def check_names(columns):
    seen = set()
    for c in columns:
        name = c["name"]
        if not SAFE_NAME.match(name):
            raise Refused("column name %r is not safe for Stata" % name)
        if name.lower() in seen:
            raise Refused("column name %r is there twice (case aside)" % name)
        seen.add(name.lower())
        if c["titles"] != name:
            raise Refused("column %r is titled %r" % (name, c["titles"]))


def convert(column, value):
    """A cell as the dictionary's datatype makes it (None: missing)."""
    base, fmt, spec = datatype(column)
    name = column["name"]
    if value is None or value == "":
        if column["required"]:
            raise Refused("column %r is empty, but required" % name)
        return None
    if base == "integer":
        if isinstance(value, str):
            if not re.fullmatch(r"-?(0|[1-9][0-9]*)", value):
                raise Refused("column %r: %r is no integer" % (name, value))
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise Refused("column %r: %r is no integer" % (name, value))
        if isinstance(spec, dict):
            if "minimum" in spec and value < spec["minimum"]:
                raise Refused("column %r: %d is below its minimum" % (name, value))
            if "maximum" in spec and value > spec["maximum"]:
                raise Refused("column %r: %d is above its maximum" % (name, value))
        return value
    if base == "boolean":
        if isinstance(value, str):
            if value not in ("true", "false"):
                raise Refused("column %r: %r is no boolean" % (name, value))
            value = value == "true"
        if not isinstance(value, bool):
            raise Refused("column %r: %r is no boolean" % (name, value))
        return value
    if not isinstance(value, str):
        raise Refused("column %r: %r is not text" % (name, value))
    if fmt is not None and not re.search(fmt, value):
        raise Refused("column %r: %r is not one of its codes" % (name, value))
    if "sortes:levels" in column and value not in [
            level["value"] for level in column["sortes:levels"]]:
        raise Refused("column %r: %r is not one of its levels" % (name, value))
    if base == "date":
        return datetime.date.fromisoformat(value)
    if base == "datetime":
        return datetime.datetime.strptime(value, TIME_FORMAT)
    if base != "string":
        raise Refused("column %r: datatype %r unknown here" % (name, base))
    return value


def expected_value(v):
    """A value of EXPECTED, as Python types it."""
    if isinstance(v, dict) and list(v) == ["date"]:
        return datetime.date.fromisoformat(v["date"])
    if isinstance(v, dict) and list(v) == ["datetime"]:
        return datetime.datetime.strptime(v["datetime"], TIME_FORMAT)
    return v


def read_csv(path, names):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f, strict=True)
        header = next(reader)
        if header != names:
            raise Refused("the CSV header is %r, the dictionary's %r"
                          % (header, names))
        rows = []
        for line in reader:
            if len(line) != len(names):
                raise Refused("line %d has %d cells, not %d"
                              % (reader.line_num, len(line), len(names)))
            rows.append(dict(zip(names, line)))
    return rows


def read_json(path, names):
    with open(path, encoding="utf-8") as f:
        rows = json.load(f)
    for i, row in enumerate(rows):
        if sorted(row) != sorted(names):
            raise Refused("object %d has keys %r, not the dictionary's"
                          % (i + 1, sorted(row)))
    return rows


def load(export, dictionary):
    with open(dictionary, encoding="utf-8") as f:
        meta = json.load(f)
    if meta.get("@context") != "http://www.w3.org/ns/csvw":
        raise Refused("the dictionary is not CSVW metadata")
    columns = meta["tableSchema"]["columns"]
    check_names(columns)
    names = [c["name"] for c in columns]
    with open(export, encoding="utf-8") as f:
        is_json = f.read(1) == "["
    raw = read_json(export, names) if is_json else read_csv(export, names)
    rows = [{c["name"]: convert(c, r[c["name"]]) for c in columns}
            for r in raw]
    return meta, names, rows


def compare(meta, names, rows, expected):
    if len(rows) != len(expected):
        raise Refused("%d rows, but the database has %d"
                      % (len(rows), len(expected)))
    key = meta["tableSchema"]["primaryKey"]
    keys = set()
    for i, (row, want) in enumerate(zip(rows, expected)):
        k = tuple(row[n] for n in key)
        if k in keys:
            raise Refused("row %d repeats the primary key %r" % (i + 1, k))
        keys.add(k)
        if sorted(want) != sorted(names):
            raise Refused("the database's row %d has columns %r"
                          % (i + 1, sorted(want)))
        for n in names:
            got, w = row[n], expected_value(want[n])
            if type(got) is not type(w) or got != w:
                raise Refused("row %d, column %r: loaded %r (%s), the "
                              "database has %r (%s)"
                              % (i + 1, n, got, type(got).__name__, w,
                                 type(w).__name__))


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: load.py EXPORT DICTIONARY EXPECTED\n")
        return 64
    try:
        meta, names, rows = load(argv[1], argv[2])
        with open(argv[3], encoding="utf-8") as f:
            expected = json.load(f)
        compare(meta, names, rows, expected)
    except (Refused, ValueError, KeyError) as e:
        sys.stderr.write("load.py: %s: %s\n" % (argv[1], e))
        return 1
    print("ok: %s: %d rows of %d columns, every value as the database's"
          % (argv[1], len(rows), len(names)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
