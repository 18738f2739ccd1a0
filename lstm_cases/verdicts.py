"""The verdict statuses a result record holds, in one place for the harness that writes them and the
reports that read them (the record layer: nothing here imports the harness or a framework)."""

PASS, FAIL, XFAIL, XPASS = "pass", "fail", "xfail", "xpass"
STATUSES = (PASS, FAIL, XFAIL, XPASS)
GOOD_STATUSES = (PASS, XFAIL)  # what the rule says, or a failure that was expected
BAD_STATUSES = (FAIL, XPASS)  # a claim that failed, or an expected failure that passed
