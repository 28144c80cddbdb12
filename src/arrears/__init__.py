"""arrears: collections management for a bank's lending book.

The pure core (`policy`, `finance`, `workdays`, later `engine`) never imports Django; the Django apps
around it are the shell that stores, shows and acts.
"""

__version__ = "0.1.0"
