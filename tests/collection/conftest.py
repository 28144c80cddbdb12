import sys
from pathlib import Path

# The daily run's book helpers live beside its tests.
sys.path.insert(0, str(Path(__file__).parent.parent / "daily"))
