"""Code saved from the labs, one module per lab: generated, never edited by hand.

``labNN_<topic>.py`` is generated from ``labs/NN_*.ipynb`` by
``tools/save_code.py`` (``make saved``) and imports only from earlier labs
and from the hand-written plumbing in ``utils``.
"""
