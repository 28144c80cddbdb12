"""The call script a challenger's collectors read (issue 23, LANG-2).

A strategy may name a call script version (`[script] version = N`, `strategies.script_version`). Only a version
legal review approved may be used: the approved one, or one a later approved version replaced (its `retired_at` is
the later version's `reviewed_at`: the script the bank used until then) — never one legal review withdrew, nor a
draft. So the arms can compare the new script with the one it replaced, or the other way round, and every script a
borrower hears is one legal review approved.

- `usable_script(version, language)`: that version of the call script in `language` when it may be used, else None.
- `check_script(changes)`: at the start, the strategy's version must be usable in Chinese (the default language);
  ExperimentError says why not.
- `challenger_script(case, today)`: on the desk, the script for this case when it is the challenger's — an
  experiment running on `today` names a version, the case opened since the experiment started and the borrower's
  seeded hash falls in its share — in the borrower's language when legal review approved that version in it; else
  None, and the desk shows the script in force (`notices.template_queries.template_for`). A version withdrawn after
  the start gives way to the script in force at once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from arrears.notices.models import Language, Template, TemplatePurpose, TemplateStatus
from arrears.policy import PolicyError
from arrears.whatif.arms import CHALLENGER, arm_of
from arrears.whatif.errors import ExperimentError
from arrears.whatif.models import Experiment
from arrears.whatif.strategies import parse_strategy, script_version

__all__ = ["challenger_script", "check_script", "usable_script"]


def usable_script(version: int, language: str) -> Template | None:
    found = Template.objects.filter(
        purpose=TemplatePurpose.CALL_SCRIPT, language=language, version=version, reviewer__isnull=False
    ).first()
    if found is None or found.status == TemplateStatus.APPROVED:
        return found
    replaced = (
        found.status == TemplateStatus.RETIRED
        and Template.objects.filter(
            purpose=TemplatePurpose.CALL_SCRIPT,
            language=language,
            version__gt=version,
            reviewed_at=found.retired_at,
            status__in=[TemplateStatus.APPROVED, TemplateStatus.RETIRED],
        ).exists()
    )
    return found if replaced else None


def check_script(changes: dict[str, dict[str, Any]]) -> None:
    version = script_version(changes)
    if version is not None and usable_script(version, Language.ZH_HANS) is None:
        raise ExperimentError(
            _(
                "Call script version %(version)s in Chinese is not one legal review approved, or it was withdrawn: "
                "a challenger reads only an approved script or the one an approved version replaced."
            )
            % {"version": version}
        )


def challenger_script(case: Any, today: date) -> Template | None:
    experiment = Experiment.on(today)
    if experiment is None or case.opened_on < experiment.started_on:
        return None
    try:
        version = script_version(parse_strategy(experiment.strategy_text))
    except PolicyError:
        return None
    if version is None or arm_of(experiment.seed, case.borrower_id, experiment.share) != CHALLENGER:
        return None
    return usable_script(version, case.borrower.language)
