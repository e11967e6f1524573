"""What the workbook's labs import at run time.

Plumbing shared by several labs (data, profiles and seeds, the network
policy, plots, widgets, the book's explorers, checks, the summary table,
photos and letters) and the graders of the exercises (``exercises``). The
code each lab teaches is generated from its cells tagged ``save``
(``make saved``): ``softmax``, ``jacobians``, ``mlp``, ``regularise``,
``momentum``, ``nets``, ``photo``, ``transfer`` and ``embedding``. Later
labs import it, and a lab whose exercise is unfinished runs on it.
"""
