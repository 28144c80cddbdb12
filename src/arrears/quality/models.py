"""Call quality's models (QA-1, QA-2, CALL-3). Each part of the app keeps its models in a module of its own,
imported here so that Django finds them: `models_recording` (the call platform's calls and the recordings),
`models_inspection` (transcripts, their inspections and the people's reviews)."""

from arrears.quality.models_inspection import *  # noqa: F403
from arrears.quality.models_recording import *  # noqa: F403
