"""pytest-xdist scheduling for ``pytest bench -n N``: every test of one case family on one worker.

Imported only by an xdist controller (this module imports xdist, an optional dependency).
"""

from __future__ import annotations

import pytest
from xdist.scheduler import LoadGroupScheduling

from lstm_cases.pytest_plugin import family_of


class FamilyScheduling(LoadGroupScheduling):
    """``--dist loadgroup`` whose work unit for a case test is the case's family.

    xdist's own loadgroup reads the ``xdist_group`` mark from a suffix it writes onto the
    worker's node ids, which pytest 9.2 no longer takes (pytest-xdist#1386): the groups are
    dropped without a word. The family is read from the case id in the node id instead. Tests
    of no case keep loadgroup's unit (their ``xdist_group``, where it works, else the test).
    """

    def __init__(self, config: pytest.Config, log=None, *, families: dict[str, str]) -> None:
        super().__init__(config, log)
        self.families = families

    def _split_scope(self, nodeid: str) -> str:
        family = family_of(nodeid, self.families)
        return super()._split_scope(nodeid) if family is None else f"lstm-bench family {family}"
