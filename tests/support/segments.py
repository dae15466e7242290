"""Random segment definitions for property tests, hostile values included."""

from __future__ import annotations

from hypothesis import strategies as st

# Values a clerk (or an attacker) could type into a rule.
HOSTILE = [
    "'; DROP TABLE subscribers; --",
    '" OR 1=1 --',
    "x') OR ('1'='1",
    "%",
    "_",
    "\\",
    "\x00",
    "notizie' UNION SELECT wa_id FROM subscribers --",
    "🙂",
]

values = st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=30))
conditions = st.one_of(
    st.builds(
        lambda op, v: {"field": "topic", "op": op, "value": v},
        st.sampled_from(["has", "has_not"]),
        st.one_of(st.sampled_from(["allerte", "notizie", "eventi"]), values),
    ),
    st.builds(
        lambda op, v: {"field": "language", "op": op, "value": v},
        st.sampled_from(["is", "is_not"]),
        st.one_of(st.sampled_from(["it", "en"]), values),
    ),
    st.builds(
        lambda op, d: {"field": "subscribed", "op": op, "value": d.isoformat()},
        st.sampled_from(["before", "after"]),
        st.dates(),
    ),
    st.builds(
        lambda op, n: {"field": "last_interaction", "op": op, "value": n},
        st.sampled_from(["within_days", "not_within_days"]),
        st.integers(0, 400),
    ),
    st.builds(
        lambda op, v: {"field": "answer", "question": "frazione", "op": op, "value": v},
        st.sampled_from(["is", "is_not"]),
        st.one_of(st.sampled_from(["centro", "fuori", "frazioni"]), values),
    ),
)
groups = st.builds(
    lambda match, cs: {"match": match, "conditions": cs},
    st.sampled_from(["all", "any"]),
    st.lists(conditions, max_size=4),
)
definitions = st.builds(
    lambda match, gs: {"match": match, "groups": gs},
    st.sampled_from(["all", "any"]),
    st.lists(groups, max_size=3),
)
