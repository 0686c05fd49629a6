"""ieiwatch: watch university and government news for industry–education cooperation.

Data flows one way: config → scrapers → classify → storage → notify; ``flows`` composes
them into Prefect flows and the ``ieiwatch`` command line.
"""

__version__ = "0.1.0"
