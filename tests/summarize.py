#!/usr/bin/env python3
"""Counts the results in meson's testlog.json: every bats case (TAP line) and every unit or
lint executable, and prints the closing line "N passed, N failed, N skipped"."""
import json
import re
import sys

passed = failed = skipped = 0
with open(sys.argv[1]) as f:
    for line in f:
        t = json.loads(line)
        out = t.get("stdout") or ""
        tap = [l for l in out.splitlines() if re.match(r"^(not )?ok \d+", l)]
        if t.get("protocol") == "tap" or tap:
            if re.search(r"^1\.\.0 # SKIP", out, re.M):
                skipped += 1
                continue
            for l in tap:
                if l.startswith("not ok"):
                    failed += 1
                elif re.search(r"# skip", l, re.I):
                    skipped += 1
                else:
                    passed += 1
            # a file that failed as a whole (no TAP, a crash, its clean-up exiting non-zero
            # after every case passed) counts once more as failed: the last line must not hide it
            if t.get("result") not in ("OK", "SKIP") and not any(l.startswith("not ok") for l in tap):
                failed += 1
        elif t.get("result") == "OK":
            passed += 1
        elif t.get("result") == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
