"""Plausible wrong and correct-but-unusual student answers, one module per lab.

Each module defines ``<name>__wrong_<tag>`` and ``<name>__right_<tag>`` variants of
every graded exercise, and a dict ``ANSWERS = {"N.M": {"wrong": [...], "right": [...]}}``.
"""
