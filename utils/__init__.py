"""What the workbook's labs import at run time.

Plumbing shared by several labs (data, profiles and seeds, the network
policy, plots, widgets, checks, the summary table, exercises) and, in
``mlp.py`` and ``nets.py``, the code that labs 03 and 06 teach, generated
from their cells tagged ``save`` so that later labs import it instead of
copying it (``make saved``).
"""
