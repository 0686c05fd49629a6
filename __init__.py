"""ieiwatch: watch university and government news for industry–education cooperation.

Imports go one way over a typed domain at the bottom: domain ← config ← scrapers, classify
← storage ← notify ← flows ← cli, demo. ``flows`` composes the layers into Prefect flows;
``cli`` is the ``ieiwatch`` command line (README.md, "How it works").
"""

__version__ = "0.1.0"
