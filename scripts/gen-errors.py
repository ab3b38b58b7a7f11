#!/usr/bin/env python3
"""Rewrites the table in docs/errors.md from Sources/ShareBusCore/Problem/ProblemCode.swift."""
import os, re
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
src = open(os.path.join(root, "Sources/ShareBusCore/Problem/ProblemCode.swift")).read()
cases = re.findall(r'case (\w+) = "([a-z-]+)"', src)
status = {}
for m in re.finditer(r'case ((?:\.\w+,?\s*)+):\s*(\d{3})', src):
    for name in re.findall(r'\.(\w+)', m.group(1)):
        status[name] = m.group(2)
title = dict(re.findall(r'case \.(\w+): "([^"]+)"', src))
rows = "\n".join(f"| `{code}` | {status[name]} | {title[name]} |" for name, code in cases)
path = os.path.join(root, "docs/errors.md")
doc = open(path).read()
head = doc[: doc.index("| code | status | title |")]
open(path, "w").write(head + "| code | status | title |\n| --- | --- | --- |\n" + rows + "\n")
print(f"{len(cases)} codes")
