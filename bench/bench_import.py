"""Time `import_files` on every real table (2 NBS + 24 BEA years) into a fresh store; goal < 30 s.

    python bench/bench_import.py [IO_DIR]      (default: $RONGHE_SHARED_DATA/io or ../shared/data/io)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    repo = Path(__file__).resolve().parent.parent
    default = Path(os.environ.get("RONGHE_SHARED_DATA", repo.parent / "shared" / "data")) / "io"
    io_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    with tempfile.TemporaryDirectory(prefix="ronghe-bench-") as tmp:
        os.environ["RONGHE_DATA_DIR"] = tmp
        from ronghe.measure import store

        start = time.perf_counter()
        metas = store.import_files([io_dir])
        imported = time.perf_counter() - start
        start = time.perf_counter()
        for m in metas:
            store.load(m.id)
        loaded = time.perf_counter() - start
    print(f"import: {len(metas)} tables in {imported:.2f} s (goal < 30 s); "
          f"load all back: {loaded * 1000:.0f} ms ({loaded / len(metas) * 1000:.1f} ms per table)")


if __name__ == "__main__":
    main()
