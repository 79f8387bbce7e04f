"""The one state table of a service item version: draft → published → retired, nothing else.

A published version is never edited: ``revise_item`` makes a *new* draft version instead.
"""

from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.core.kit import StateTable

S = ServiceItem.Status

ITEM_STATES = StateTable(
    moves={S.DRAFT: frozenset({S.PUBLISHED}), S.PUBLISHED: frozenset({S.RETIRED}), S.RETIRED: frozenset()},
    labels={S.DRAFT: "草稿", S.PUBLISHED: "已发布", S.RETIRED: "已停用"},
)
