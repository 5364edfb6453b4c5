#!/usr/bin/env python3
"""Sources that depend on each other in a circle (STYLE.md, "one funnel per job").

Usage: source-cycles.py BUILD_DIR SOURCE_ROOT

Two graphs, each searched for strongly connected components of more than one file:

  includes  the #include "..." graph of the project's headers (include/gex/*.h, src/**/*.h);
  symbols   the file-level symbol graph of the compiled sources under src/: for each object
            file (found through BUILD_DIR/compile_commands.json, which names the source of
            every object), nm lists the global symbols it defines and those it uses; A -> B
            when A's object uses a symbol that B's object defines. Definitions are looked up
            in A's own target first (a .p directory: libgex, the gex program, the serve
            library), then in the other targets under src/, which link into one program.

Prints every cycle with one example per edge (a header's line, or a symbol) and exits 1; exits 0
when both graphs are acyclic, and 77 (skip), saying why, when nm is not there or the build has
no compile database naming the sources (a backend other than ninja, a unity build).
"""

import json
import os
import re
import shutil
import subprocess
import sys

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def strongly_connected(nodes, edges):
    """Tarjan's algorithm, iterative. edges: node -> {successor: example}. Returns the
    components of more than one node, each sorted, in a stable order."""
    index = {}
    low = {}
    on_stack = set()
    stack = []
    components = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, {}))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(edges.get(succ, {})))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def report(title, components, edges):
    """Prints each component and the edges inside it; returns the number of components."""
    for component in components:
        members = set(component)
        print(f"{title}: cycle between {', '.join(component)}")
        for a in component:
            for b in sorted(edges.get(a, {})):
                if b in members:
                    print(f"  {a} -> {b} ({edges[a][b]})")
    return len(components)


def header_graph(root):
    """The #include "..." edges between the project's headers, resolved as the compiler does:
    the including file's directory first, then include/ (the public API, "gex/...")."""
    headers = []
    for top in ("include", "src"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(".h") or name.endswith(".h.in"):
                    headers.append(os.path.relpath(os.path.join(dirpath, name), root))
    known = set(headers)
    edges = {}
    for header in headers:
        with open(os.path.join(root, header), encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE_RE.match(line)
                if not m:
                    continue
                target = None
                for base in (os.path.dirname(header), "include"):
                    candidate = os.path.normpath(os.path.join(base, m.group(1)))
                    for name in (candidate, candidate + ".in"):
                        if name in known:
                            target = name
                            break
                    if target:
                        break
                if target and target != header:
                    edges.setdefault(header, {}).setdefault(
                        target, f'{header}:{lineno}: #include "{m.group(1)}"')
    return headers, edges


class Skip(Exception):
    """The test cannot run here: exit 77 with the reason."""


def objects_of_src(build, root):
    """(source path relative to root, target directory, object path) of every object compiled
    from a C file under src/, from meson's compile database."""
    database = os.path.join(build, "compile_commands.json")
    if not os.path.exists(database):
        raise Skip(f"no compile database {database} (meson writes it with the ninja backend)")
    with open(database, encoding="utf-8") as f:
        entries = json.load(f)
    src = os.path.realpath(os.path.join(root, "src"))
    found = []
    for e in entries:
        directory = e.get("directory", build)
        source = os.path.realpath(os.path.join(directory, e["file"]))
        if os.path.commonpath([source, src]) != src or "output" not in e:
            continue
        obj = os.path.join(directory, e["output"])
        found.append((os.path.relpath(source, root), os.path.dirname(e["output"]), obj))
    return sorted(found)


def nm_symbols(nm, obj):
    """(defined, used): the global symbols an object defines and those it leaves undefined."""
    out = subprocess.run([nm, "-P", "-g", obj], check=True, capture_output=True,
                         text=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        name, kind = fields[0], fields[1]
        if kind in ("U", "w", "v"):  # undefined, strong or weak
            used.add(name)
        else:
            defined.add(name)
    return defined, used


def symbol_graph(nm, build, root):
    objects = objects_of_src(build, root)
    if not objects:
        raise Skip(f"the compile database of {build} names no source under src/ (a unity build?)")
    missing = [obj for _, _, obj in objects if not os.path.exists(obj)]
    if missing:
        sys.exit(f"source-cycles: objects not built in {build}: {', '.join(missing)}")
    defined_in = {}  # (target, symbol) -> source
    anywhere = {}    # symbol -> source, for definitions in another target
    uses = {}
    for source, target, obj in objects:
        defined, used = nm_symbols(nm, obj)
        for name in defined:
            defined_in[(target, name)] = source
            anywhere.setdefault(name, source)
        uses[source] = (target, used)
    edges = {}
    for source, (target, used) in sorted(uses.items()):
        for name in sorted(used):
            provider = defined_in.get((target, name), anywhere.get(name))
            if provider is not None and provider != source:
                edges.setdefault(source, {}).setdefault(provider, name)
    return sorted(uses), edges


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: source-cycles.py BUILD_DIR SOURCE_ROOT")
    build, root = sys.argv[1], sys.argv[2]
    nm = os.environ.get("NM") or shutil.which("nm")
    if nm is None or shutil.which(nm) is None:
        print("source-cycles: skipped: nm (binutils) is not installed")
        return 77
    try:
        graphs = (("includes", header_graph(root)), ("symbols", symbol_graph(nm, build, root)))
    except Skip as why:
        print(f"source-cycles: skipped: {why}")
        return 77
    cycles = 0
    for title, (nodes, edges) in graphs:
        cycles += report(title, strongly_connected(nodes, edges), edges)
    if cycles:
        print(f"source-cycles: {cycles} cycle(s): a file must not use one that uses it "
              "(STYLE.md, one funnel per job)")
        return 1
    print("source-cycles: no cycles among the headers or the objects under src/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
