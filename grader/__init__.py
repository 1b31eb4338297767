"""The grading engine: load -> sandboxed run -> compare with the reference -> score -> report.

Modules, in pipeline order: ``chapters`` and ``suites`` (what is graded),
``submission`` (finding chapter files), ``sandbox``/``runner``/``worker``
(running untrusted code), ``compare`` (outputs vs references), ``harness``
(scoring), ``report`` (tables and JSON), ``cli`` (the ``nndl`` command).
"""
