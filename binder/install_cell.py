# Colab, Binder or any fresh Python: install the workbook when it is missing
# (after `make setup` it is installed and this cell does nothing).
import importlib
import os
import subprocess
import sys

WORKBOOK_VERSION = "0.1.0"  # the book's version; the default source is its tag
try:
    import utils.config  # noqa: F401
except ImportError:
    source = os.environ.get(
        "WORKBOOK_INSTALL_URL",
        "git+https://github.com/dl-derived/dl-workbook@v" + WORKBOOK_VERSION)
    print(f"Installing the workbook from {source} (about a minute)")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    source], check=True)
    for name in [m for m in sys.modules if m.split(".")[0] == "utils"]:
        del sys.modules[name]  # another package's `utils`, if any
    importlib.invalidate_caches()
    import utils.config  # noqa: F401
