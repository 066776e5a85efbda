#!/usr/bin/env python3
"""No function in src/ is longer than 80 lines (STYLE.md: aim under 50; over 100 needs a reason);
src/runtime/child.cpp, the clone-to-exec zone, stays under 400 lines.
Measures every function body defined at namespace level (free functions and out-of-class
member definitions), from its signature to its closing brace.
Usage: check-function-size.py SOURCE_ROOT [--list N]"""
import os
import re
import sys

LIMIT = 80
CHILD_LIMIT = 400


def strip(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'"(\\.|[^"\\\n])*"', '""', text)
    return re.sub(r"'(\\.|[^'\\\n])'", "''", text)


def functions(text):
    """(name, first line, last line) of each function body opened at namespace level."""
    lines = strip(text).split("\n")
    out, stack, sig_start = [], [], None
    for n, line in enumerate(lines):
        at_ns = all(k == "ns" for k in stack)
        if at_ns and sig_start is None and line.strip() and not line.lstrip().startswith(("#", "}", "namespace", "using ", "template")):
            sig_start = n
        for ch in line:
            if ch == "{":
                if all(k == "ns" for k in stack) and re.match(r"\s*(inline\s+)?namespace\b", line):
                    stack.append("ns")
                elif all(k == "ns" for k in stack):
                    head = " ".join(lines[sig_start if sig_start is not None else n : n + 1])
                    is_fn = "(" in head and not re.match(r"\s*(struct|class|enum|union)\b", head) and "=" not in head.split("(")[0]
                    stack.append(("fn", sig_start if sig_start is not None else n, head) if is_fn else "blk")
                else:
                    stack.append("blk")
            elif ch == "}" and stack:
                top = stack.pop()
                if isinstance(top, tuple) and all(k == "ns" for k in stack):
                    m = re.search(r"([\w:~]+)\s*\(", top[2])
                    out.append((m.group(1) if m else "?", top[1] + 1, n + 1))
        if all(k == "ns" for k in stack) and (line.strip().endswith((";", "}")) or not line.strip()):
            sig_start = None
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    listing = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--list" else 0
    bad, all_fns = 0, []
    for dirpath, _, files in os.walk(os.path.join(root, "src")):
        for f in sorted(files):
            if not f.endswith(".cpp"):
                continue
            path = os.path.relpath(os.path.join(dirpath, f), root)
            text = open(os.path.join(root, path)).read()
            if path == os.path.join("src", "runtime", "child.cpp") and text.count("\n") > CHILD_LIMIT:
                print(f"{path}: {text.count(chr(10))} lines; the child zone stays under {CHILD_LIMIT}")
                bad = 1
            for name, a, b in functions(text):
                all_fns.append((b - a + 1, path, name, a))
                if b - a + 1 > LIMIT:
                    print(f"{path}:{a}: {name} is {b - a + 1} lines (at most {LIMIT})")
                    bad = 1
    if listing:
        for size, path, name, a in sorted(all_fns, reverse=True)[:listing]:
            print(f"  {size:4d} {path}:{a} {name}")
    if not bad:
        print(f"{len(all_fns)} functions, none over {LIMIT} lines; the child under {CHILD_LIMIT}")
    return bad


if __name__ == "__main__":
    sys.exit(main())
