"""Catalog fixtures: the shipped catalog loaded, and a valid draft payload."""

from __future__ import annotations

import pytest

from ronghe.platform.catalog.services import load_catalog


@pytest.fixture
def catalog(orgs):
    """The shipped taxonomy and items, curated by ``orgs["operator"]``."""
    return load_catalog()


@pytest.fixture
def draft_fields() -> dict:
    """A complete, valid item as a curator would submit it (CNC skills upgrade for a mould cluster)."""
    return {
        "category": "082",
        "name_zh": "模具企业五轴数控编程培训",
        "name_en": "Five-axis CNC programming training for mould makers",
        "scope": "面向注塑与冲压模具企业的数控工艺员，开展五轴联动加工编程、刀路优化与后处理、机床仿真与防碰撞、"
                 "典型模具型腔加工实训，结业考核合格颁发培训证书。",
        "deliverables": ["培训计划与课程表", "实训零件与刀路文件", "考核成绩与培训证书"],
        "acceptance_criteria": ["学员独立完成型腔五轴刀路编程并试切合格", "考核通过率 ≥ 85%"],
        "sla": [{"metric": "开班响应", "target": "≤ 15 日"}],
        "value_outputs": "缩短复杂型腔加工周期，减少对外协五轴加工的依赖。",
        "kpis": ["型腔加工周期（小时）", "外协加工费用"],
        "pricing_model": "fixed",
        "duration_days_min": 10,
        "duration_days_max": 30,
        "required_qualifications": ["职业技能等级认定社会培训评价组织备案"],
        "keywords": "五轴, 数控编程, 模具, CAM",
    }
