"""The house's rules, read from the source: no import cycle between our modules, hidden or
not; packages and ``service_requests``' wings import only downwards (``LAYERS``, ``FLOORS``).

The graph is built from the source with ``ast``: every ``import`` and ``from ... import``
of one of our modules is an edge, including those inside functions, since a
function-level import that closes a cycle is a cycle that only waits for someone to
move the import to the top. Importing a submodule runs its packages' ``__init__``
first, so that is an edge too (except for the importer's own packages, which are
already running). The only function-level imports left out are the composition
root's: ``create_app`` and the packages' ``init_app`` import the packages they wire
together after every module is loaded (see ``COMPOSITION_ROOTS``).

A second check imports every module in fresh interpreters, each package's modules
first, so a cycle the graph cannot see (``importlib``, ``__import__``) fails too.
"""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("service_app", "offices", "service_requests", "notifications", "console")

# Functions whose imports are not edges, each of which must still exist: create_app's steps and
# each package's init_app. They run once every module is loaded, to wire the packages into an
# app; the domains import service_app (and error_handlers knows the domains' exceptions), so
# service_app reaches the domains only from here.
COMPOSITION_ROOTS = {
    "service_app": ("register_extensions", "register_blueprints", "register_domains", "register_errorhandlers",
                    "register_commands"),
    "offices": ("init_app",),
    "service_requests": ("init_app",),
    "notifications": ("init_app",),
    "console": ("init_app",),
}

# The packages, bottom first: a package imports its own modules and those of packages below it,
# never one beside it or above (offices and notifications know requests only by their ids).
LAYERS = (("service_app",), ("offices", "notifications"), ("service_requests",), ("console",))

# ``service_requests``' floors, bottom first. The kernel (the request itself: its tables, who sees
# it, its history, search, SLA clocks, followers, form answers, lists and schemas) is flat at the
# package's root; each wing is a subpackage. A module imports its own wing and what lies on a lower
# floor, never a sibling wing on its floor nor anything above. The front (the package's
# ``__init__``, the request's own endpoints, intake, seed and CLI) sits at the root too, on top: it
# puts the wings together (a new request is assigned, its comments, photos and CSV are its routes).
# A new root module or wing must be given a floor here (``test_every_part_has_a_floor``).
KERNEL = ("models", "access", "history", "search", "sla", "following", "forms", "queries", "schemas", "responses")
FRONT = ("", "routes", "intake", "seed", "cli")
FLOORS = (
    ("kernel",),
    ("catalogue",),
    ("lifecycle", "photos"),
    ("staff", "employees", "reports", "mobile"),
    ("privacy",),
    ("front",),
)

# Cycles that exist today and are being removed; each entry goes once its cycle is gone
# (the test fails on a stale entry).
KNOWN_CYCLES = set()


def module_files(root=ROOT):
    """``{module name: path}`` for every module of the four packages."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _is_package(name, modules):
    return modules[name].name == "__init__.py"


def _ancestors(name):
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _resolve_relative(importer, level, module, modules):
    package = importer if _is_package(importer, modules) else importer.rpartition(".")[0]
    for _ in range(level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{module}" if module else package


def _targets(importer, node, modules):
    """The modules whose code runs first when ``importer`` executes this import."""
    if isinstance(node, ast.Import):
        bases = [(alias.name, ()) for alias in node.names]
    else:
        base = (_resolve_relative(importer, node.level, node.module, modules) if node.level
                else node.module)
        bases = [(base, [alias.name for alias in node.names])]
    own_packages = set(_ancestors(importer))
    found = set()
    for base, names in bases:
        candidates = _ancestors(base) + [base]
        for candidate in candidates:
            if candidate in modules and candidate not in own_packages:
                found.add(candidate)
        submodules = {f"{base}.{name}" for name in names} & modules.keys()
        found |= submodules
        if base in own_packages and len(submodules) < len(names):
            found.add(base)  # names defined by the importer's own package's __init__
    found.discard(importer)
    return found


def _function_imports_to_skip(name, tree):
    skip = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in COMPOSITION_ROOTS.get(name, ()):
            skip |= {id(n) for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))}
    return skip


def _top_level_functions(tree):
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def import_graph(root=ROOT):
    """``{module: {(imported module, line)}}`` over the four packages."""
    modules = module_files(root)
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skip = _function_imports_to_skip(name, tree)
        edges = graph.setdefault(name, set())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skip:
                edges |= {(target, node.lineno) for target in _targets(name, node, modules)}
    return graph


def strongly_connected(graph):
    """Tarjan's components of more than one module (or a module importing itself)."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(start):
        work = [(start, iter(sorted(t for t, _ in graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(frozenset(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(t for t, _ in graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def cycle_path(graph, component):
    """One cycle through ``component``, as ``a:line -> b:line -> ... -> a``."""
    start = min(component)
    previous = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target, line in sorted(graph[node]):
            if target == start:
                path = [(node, line)]
                while previous[path[0][0]] is not None:
                    path.insert(0, previous[path[0][0]])
                return " -> ".join(f"{module}:{lineno}" for module, lineno in path) + f" -> {start}"
            if target in component and target not in previous:
                previous[target] = (node, line)
                queue.append(target)
    raise AssertionError(f"no cycle through {sorted(component)}")  # a component always has one


def cycles(root=ROOT):
    graph = import_graph(root)
    return {component: cycle_path(graph, component) for component in strongly_connected(graph)}


def test_no_import_cycle():
    found = cycles()
    new = {component: path for component, path in found.items() if component not in KNOWN_CYCLES}
    assert not new, "import cycles (module:line of each import):\n" + "\n".join(sorted(new.values()))


def test_every_known_cycle_still_exists():
    stale = KNOWN_CYCLES - cycles().keys()
    assert not stale, f"fixed, remove from KNOWN_CYCLES: {[sorted(c) for c in stale]}"


def test_every_composition_root_exists():
    modules = module_files()
    missing = []
    for module, function in ((m, f) for m, functions in COMPOSITION_ROOTS.items() for f in functions):
        tree = ast.parse(modules[module].read_text(encoding="utf-8"))
        if function not in _top_level_functions(tree):
            missing.append(f"{module}.{function}")
    assert not missing, f"stale COMPOSITION_ROOTS entries: {missing}"


def test_the_graph_sees_a_cycle_hidden_in_a_function(tmp_path):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "offices" / "a.py").write_text("from . import b\n")
    (tmp_path / "offices" / "b.py").write_text("def later():\n    from .a import x\n")
    (tmp_path / "notifications" / "c.py").write_text("import offices.a\n")
    assert list(cycles(tmp_path).values()) == ["offices.a:1 -> offices.b:2 -> offices.a"]


def test_importing_a_submodule_runs_its_package_first(tmp_path):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    (tmp_path / "service_app" / "__init__.py").write_text("from .core import thing\n")
    (tmp_path / "service_app" / "core.py").write_text("from offices.models import Office\n")
    (tmp_path / "offices" / "__init__.py").write_text("")
    (tmp_path / "offices" / "models.py").write_text("from service_app.database import Base\n")
    (tmp_path / "service_app" / "database.py").write_text("")
    for package in ("service_requests", "notifications"):
        (tmp_path / package / "__init__.py").write_text("")
    assert list(cycles(tmp_path).values()) == [
        "offices.models:1 -> service_app:1 -> service_app.core:1 -> offices.models"]


def _import_all(order, root=ROOT):
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    return subprocess.run([sys.executable, "-c", code, *order], cwd=root, capture_output=True, text=True,
                          check=False)


def test_a_fresh_interpreter_fails_on_a_cycle_only_in_the_order_that_shows_it(tmp_path):
    (tmp_path / "offices").mkdir()
    (tmp_path / "offices" / "__init__.py").write_text("")
    (tmp_path / "offices" / "a.py").write_text("from .b import y\nx = 1\n")
    (tmp_path / "offices" / "b.py").write_text("y = 2\nfrom .a import x\n")
    assert _import_all(["offices.b", "offices.a"], tmp_path).returncode == 0
    failed = _import_all(["offices.a", "offices.b"], tmp_path)
    assert failed.returncode == 1 and "partially initialized module 'offices.a'" in failed.stderr


@pytest.mark.slow  # eight interpreters, each importing flask, SQLAlchemy, boto3, firebase-admin
@pytest.mark.parametrize("backwards", [False, True], ids=["a-z", "z-a"])
@pytest.mark.parametrize("first", PACKAGES)
def test_every_module_imports_in_a_fresh_interpreter(first, backwards):
    """Each package's modules first, in both orders: of two modules importing each other, whichever
    starts first sees the other half-built."""
    names = sorted(module_files(), reverse=backwards)
    ahead = [name for name in names if name.split(".")[0] == first]
    done = _import_all(ahead + [name for name in names if name not in ahead])
    assert done.returncode == 0, done.stderr[-3000:]


def _package_floor(module):
    return next(i for i, floor in enumerate(LAYERS) if module.split(".")[0] in floor)


def _part(module):
    """The kernel, the front, or the wing a ``service_requests`` module belongs to."""
    rest = module.split(".")[1:]
    if len(rest) > 1 or (rest and (ROOT / "service_requests" / rest[0]).is_dir()):
        return rest[0]
    name = rest[0] if rest else ""
    return "kernel" if name in KERNEL else "front" if name in FRONT else None


def _floor_of(part):
    return next((i for i, floor in enumerate(FLOORS) if part in floor), None)


def layer_violations(graph):
    """``importer:line -> imported (why)`` for every import that goes sideways or up."""
    found = []
    for module, edges in graph.items():
        for target, line in edges:
            low, high = _package_floor(module), _package_floor(target)
            if module.split(".")[0] != target.split(".")[0] and high >= low:
                found.append(f"{module}:{line} -> {target} (package {'beside' if high == low else 'above'})")
            elif module.startswith("service_requests") and target.startswith("service_requests"):
                mine, theirs = _part(module), _part(target)
                if mine != theirs and _floor_of(theirs) >= _floor_of(mine):
                    where = "beside" if _floor_of(theirs) == _floor_of(mine) else "above"
                    found.append(f"{module}:{line} -> {target} ({theirs} is {where} {mine})")
    return sorted(found)


def test_every_part_has_a_floor():
    modules = [m for m in module_files() if m.startswith("service_requests")]
    missing = sorted({m for m in modules if _floor_of(_part(m)) is None})
    assert not missing, f"give these a floor in FLOORS (or KERNEL / FRONT): {missing}"
    wings = {p.name for p in (ROOT / "service_requests").iterdir() if (p / "__init__.py").exists()}
    assert wings <= {part for floor in FLOORS for part in floor}


def test_imports_go_only_downwards():
    assert not layer_violations(import_graph()), "imports sideways or up:\n" + "\n".join(layer_violations(import_graph()))


def test_a_sideways_or_upward_import_is_seen(tmp_path):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    for wing in ("staff", "employees", "lifecycle"):
        (tmp_path / "service_requests" / wing).mkdir()
        (tmp_path / "service_requests" / wing / "__init__.py").write_text("")
    (tmp_path / "service_requests" / "staff" / "bulk.py").write_text("from service_requests.employees import notices\n")
    (tmp_path / "service_requests" / "employees" / "notices.py").write_text("")
    (tmp_path / "service_requests" / "lifecycle" / "status.py").write_text("from service_requests.staff import bulk\n")
    (tmp_path / "service_requests" / "access.py").write_text("from service_requests.lifecycle import status\n")
    (tmp_path / "service_app" / "errors.py").write_text("def later():\n    from offices import rooms\n")
    (tmp_path / "offices" / "rooms.py").write_text("from service_requests import access\n")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = layer_violations(import_graph(tmp_path))
    finally:
        ROOT = saved
    assert found == [
        "offices.rooms:1 -> service_requests (package above)",
        "offices.rooms:1 -> service_requests.access (package above)",
        "service_app.errors:2 -> offices (package above)",
        "service_app.errors:2 -> offices.rooms (package above)",
        "service_requests.access:1 -> service_requests.lifecycle (lifecycle is above kernel)",
        "service_requests.access:1 -> service_requests.lifecycle.status (lifecycle is above kernel)",
        "service_requests.lifecycle.status:1 -> service_requests.staff (staff is above lifecycle)",
        "service_requests.lifecycle.status:1 -> service_requests.staff.bulk (staff is above lifecycle)",
        "service_requests.staff.bulk:1 -> service_requests.employees (employees is beside staff)",
        "service_requests.staff.bulk:1 -> service_requests.employees.notices (employees is beside staff)",
    ]


def _is_route_module(module):
    last = module.rsplit(".", 1)[-1]
    return last == "routes" or last.endswith("_routes")


def test_route_modules_are_leaves():
    """Views parse, authorise, call a service and answer; what another module needs of them (a
    response builder, a helper) lives in a service module. Only a package's ``__init__`` (which
    registers the blueprint) or another route module of the same blueprint imports one."""
    modules = module_files()
    found = sorted(f"{module}:{line} -> {target}" for module, edges in import_graph().items() for target, line in edges
                   if _is_route_module(target) and not _is_route_module(module)
                   and modules[module].name != "__init__.py")
    assert not found, "route modules imported by others:\n" + "\n".join(found)
