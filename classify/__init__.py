"""Rule-based classifier of industry–education cooperation news.

Pure functions over the data files in classify/data/: no network, no database.
"""

from .core import classify
from .model import CLASSIFIER_VERSION, Classification, Party, Region
from .text import detect_language

__all__ = [
    "CLASSIFIER_VERSION",
    "Classification",
    "Party",
    "Region",
    "classify",
    "detect_language",
]
