"""The bad-input table (`eval/bad_inputs.py`) against the real app: no 5xx, errors in Chinese that repeat
nothing, streams that always end, WeChat replies that are always well-formed XML."""
from collections import Counter

from eval.bad_inputs import run, table
from tests.interfaces.web.conftest import WECHAT_TOKEN


def test_the_table_covers_the_three_endpoints_with_over_a_hundred_inputs():
    paths = Counter(row.path for row in table())
    assert sum(paths.values()) >= 100 and set(paths) == {"/api/ask", "/api/ask/stream", "/wechat"}
    assert min(paths.values()) >= 25


def test_no_bad_input_gets_a_5xx_an_echo_or_a_broken_reply(client):
    outcomes = [(row.path, row.name, response.status_code, found) for row, response, found in run(client, WECHAT_TOKEN)]
    assert [outcome for outcome in outcomes if outcome[3]] == []
    statuses = Counter(status // 100 for _, _, status, _ in outcomes)
    assert statuses[5] == 0 and statuses[4] > 70  # most of it is refused, with a reason
