import sys
from pathlib import Path

# The collection desk's book helpers (and the daily run's, which they use) live beside their tests.
for folder in ("collection", "daily"):
    sys.path.insert(0, str(Path(__file__).parent.parent / folder))
