"""Test defaults: the quick profile, offline, no progress bars (inherited by nbval's kernels)."""
import os

os.environ.setdefault("WORKBOOK_PROFILE", "quick")
os.environ.setdefault("WORKBOOK_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")
