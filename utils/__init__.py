"""Plumbing for the deep-learning workbook's labs: data, profiles, plots, widgets, checks.

Each module is small and documented with the labs that use it; no lab's
lesson (a model, a gradient, a training step) lives here.
"""
