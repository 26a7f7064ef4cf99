"""Run every benchmark module's run() in turn, then write bench/results.json: python -m bench
(``python -m bench views reports`` runs only the modules named, and leaves results.json as it is)."""
import importlib
import pkgutil
import sys

import bench
from bench.common import write_results

SKIP = {"common", "__main__"}


def main(names=()) -> None:
    """Import each bench/*.py module (alphabetically; only ``names`` when given) and call its run(), if it has one."""
    for module_info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if module_info.name in SKIP or module_info.ispkg or (names and module_info.name not in names):
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        if callable(getattr(module, "run", None)):
            print(f"# {module_info.name}", flush=True)
            module.run()
    if not names:
        print(f"# results written to {write_results()}")


if __name__ == "__main__":
    main(tuple(sys.argv[1:]))
