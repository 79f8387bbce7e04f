"""Words and weights the synthetic organizations are made of: plausible, never real.

The weights are rounded, approximate shares (规模以上工业企业 by province and by GB/T 4754 division, as
published in recent statistical yearbooks, rounded to thousands): they make the data look like China's
manufacturing, they are not statistics and must not be quoted as such.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: Every synthetic organization's name ends with this marker (and ``Organization.is_synthetic`` is True).
SYNTHETIC_MARK = "（示例）"

#: Province (GB/T 2260) → rough thousands of industrial enterprises above designated size.
MANUFACTURER_PROVINCE_WEIGHTS: dict[str, float] = {
    "44": 66,
    "32": 58,
    "33": 55,
    "37": 35,
    "41": 22,
    "35": 20,
    "34": 20,
    "42": 18,
    "43": 19,
    "13": 17,
    "51": 16,
    "36": 16,
    "31": 9,
    "50": 7.5,
    "21": 8.5,
    "45": 8,
    "61": 8,
    "12": 5.5,
    "11": 3,
    "14": 7,
    "53": 5,
    "52": 4.5,
    "15": 3.5,
    "22": 3,
    "23": 4,
    "65": 4,
    "62": 2.3,
    "64": 1.4,
    "46": 0.6,
    "63": 0.6,
    "54": 0.2,
}

#: Producer services cluster in the big service hubs more than manufacturing does.
PROVIDER_HUB_FACTOR: dict[str, float] = {
    "11": 6.0,
    "31": 4.0,
    "44": 1.3,
    "33": 1.2,
    "32": 1.1,
    "51": 1.3,
    "42": 1.2,
    "61": 1.3,
    "50": 1.2,
}

#: Manufacturing division (13–43) → rough thousands of enterprises, and words for its company names.
DIVISIONS: dict[str, tuple[float, tuple[str, ...]]] = {
    "13": (22, ("农副产品加工", "粮油", "饲料", "肉类食品")),
    "14": (9, ("食品", "乳业", "调味品", "烘焙食品")),
    "15": (6, ("酒业", "饮料", "茶业")),
    "16": (0.1, ("卷烟",)),
    "17": (19, ("纺织", "织造", "印染", "家纺")),
    "18": (13, ("服饰", "制衣", "针织服装")),
    "19": (8, ("皮革", "鞋业", "箱包")),
    "20": (10, ("木业", "竹木制品", "人造板")),
    "21": (7, ("家具", "办公家具", "定制家居")),
    "22": (7, ("纸业", "包装纸板")),
    "23": (6, ("印刷", "包装印务")),
    "24": (9, ("文体用品", "工艺礼品", "体育器材")),
    "25": (2, ("石化", "焦化")),
    "26": (24, ("化工", "新材料", "涂料", "精细化工")),
    "27": (9, ("制药", "生物医药", "医疗器械")),
    "28": (2, ("化纤", "纤维材料")),
    "29": (21, ("橡塑制品", "塑胶", "橡胶制品", "注塑")),
    "30": (38, ("建材", "玻璃", "陶瓷", "水泥制品")),
    "31": (5, ("钢铁", "特钢", "钢管")),
    "32": (7, ("有色金属", "铝业", "铜业")),
    "33": (29, ("五金", "金属制品", "紧固件", "钣金")),
    "34": (29, ("机械", "通用设备", "泵阀", "轴承")),
    "35": (23, ("专用设备", "智能装备", "工程机械", "包装机械")),
    "36": (17, ("汽车零部件", "汽车配件", "车身系统", "汽车电子")),
    "37": (5, ("轨道交通装备", "船舶配套", "航空零部件")),
    "38": (28, ("电气", "电机", "电缆", "新能源电池")),
    "39": (23, ("电子", "光电", "半导体", "智能终端")),
    "40": (6, ("仪器仪表", "精密仪器", "传感器")),
    "41": (2, ("日用制品",)),
    "42": (2.5, ("再生资源", "资源循环")),
    "43": (1.3, ("设备维修", "机电修理")),
}

#: Top-level service category (NBS 2019 大类 code) → weight among providers, words for their names, and the
#: GB/T 4754 service division the provider itself is registered under.
PROVIDER_SPECIALTIES: dict[str, tuple[float, tuple[str, ...], str]] = {
    "01": (18, ("工业设计", "技术研究院", "检测技术", "知识产权代理", "工程技术", "科技"), "74"),
    "02": (12, ("供应链管理", "物流", "国际货运代理", "仓储"), "58"),
    "03": (20, ("信息技术", "工业互联网", "软件", "数字科技", "智能科技"), "65"),
    "04": (4, ("融资担保", "商业保理", "金融服务"), "69"),
    "05": (10, ("节能科技", "环保工程", "碳管理", "环境科技"), "77"),
    "06": (4, ("融资租赁", "设备租赁"), "71"),
    "07": (14, ("企业管理咨询", "管理顾问", "会展服务", "翻译服务"), "72"),
    "08": (7, ("人力资源", "职业培训学校", "人才服务"), "72"),
    "09": (5, ("工业品供应链", "贸易", "招标代理"), "51"),
    "10": (6, ("设备维修", "机电工程", "后勤服务", "智能运维"), "43"),
}

#: Two-character trade names (字号); none is meant to be a real company.
TRADE_NAMES: tuple[str, ...] = _words(
    "精工 恒锐 华盛 鼎力 瑞丰 宏达 金诚 博远 汇通 泰和 永信 联创 中科 远航 新锐 立信 天成 德润 凯盛 明辉 "
    "嘉禾 信达 正泰 华宇 国鑫 安顺 瀚海 睿智 星联 东升 长风 广源 晨光 振华 鑫源 恒通 合力 同益 启航 卓越 "
    "隆盛 万通 海纳 和泰 诚信 智拓 鸿运 昌盛 宝丰 巨力 华辰 锦程 普泰 通达 致远 中恒 荣昌 弘毅 睿丰 晟达 "
    "天诚 建业 永安 盛世 德盛 弘远 金鼎 九洲 凌云 明德 青禾 润泽 三元 四方 泰丰 铭扬 新程 耀华 益康 云帆 "
    "兆丰 志诚 众联 卓力 安泰 百川 沧海 创元 达远 恒信 华泰 佳美 开元 力拓 茂源 南洋 鹏程 齐鲁 瑞达 尚品 "
    "拓普 威盛 协力 雅图 英杰 正大 智源 中瑞 金桥 银河 北辰 东方 西城 峰锐 光华 海川 敏捷 宁远 启明 融信"
)

ORG_FORMS: tuple[tuple[str, float], ...] = (
    ("有限公司", 0.78),
    ("股份有限公司", 0.14),
    ("集团有限公司", 0.08),
)

SURNAMES: tuple[str, ...] = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
)
GIVEN_NAMES: tuple[str, ...] = _words(
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 涛 明 超 秀英 华 鹏 辉 玲 建华 志强 海燕 晓东 文博 子涵 "
    "宇航 思远 雪梅"
)

#: Manufacturer pain points (需求场景) by theme, used in demand titles, summaries and list pain points.
DEMAND_MOTIVES: tuple[str, ...] = (
    "产线扩产后良率波动，需要系统性改善",
    "客户要求提供产品碳足迹数据",
    "老旧设备故障频发影响交付",
    "出口订单增长，需补齐认证与合规",
    "计划上线新的生产管理系统",
    "原材料价格波动大，采购成本承压",
    "新产品开发周期偏长",
    "技能工人招聘难、流失率高",
    "环保督查整改要求限期达标",
    "应收账款占用资金较多",
)

CERT_ISSUERS: dict[str, tuple[str, ...]] = {
    "iso9001": ("中国质量认证中心", "方圆标志认证集团", "北京世标认证中心", "上海质量体系审核中心"),
    "iso14001": ("中国质量认证中心", "方圆标志认证集团", "中环联合（北京）认证中心"),
    "iso27001": ("中国网络安全审查认证和市场监管大数据中心", "中国质量认证中心"),
    "iso45001": ("中国质量认证中心", "方圆标志认证集团"),
    "iatf16949": ("必维认证（北京）有限公司", "上海恩可埃认证有限公司"),
    "cnas": ("中国合格评定国家认可委员会",),
    "cma": ("{province}市场监督管理局",),
    "high_tech": ("{province}科学技术厅",),
    "srdi": ("{province}工业和信息化厅",),
    "ccc": ("中国质量认证中心",),
    "road_transport": ("{city}市交通运输局",),
}

#: Licences of type “other”: (words in the qualification, issuing authority); the first match wins.
LICENCE_ISSUERS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("海关", "报关", "AEO"), "{city}海关"),
    (("民用无人机", "通用航空"), "中国民用航空局"),
    (("金融", "保险", "保理", "租赁", "证券", "结售汇", "银行"), "国家金融监督管理总局{province}监管局"),
    (("律师",), "{province}司法厅"),
    (("会计师", "资产评估"), "{province}财政厅"),
    (("电信",), "{province}通信管理局"),
    (("测绘",), "{province}自然资源厅"),
    (("快递",), "{province}邮政管理局"),
    (("危险废物", "环境", "环保", "再生资源", "废弃电器"), "{province}生态环境厅"),
    (("道路", "危险货物"), "{city}市交通运输局"),
    (("安全生产", "爆破", "特种作业", "有限空间"), "{province}应急管理厅"),
    (("人力资源", "劳务派遣", "职业技能", "电工"), "{province}人力资源和社会保障厅"),
    (("货运代理", "对外贸易", "无船承运", "会展"), "{province}商务厅"),
    (("节能", "工程咨询"), "{province}发展和改革委员会"),
    (("技术转移", "技术经纪", "中试", "高新"), "{province}科学技术厅"),
    (
        ("软件", "数字化转型", "工业互联网", "工业设计", "智能制造", "网络安全", "等级保护"),
        "{province}工业和信息化厅",
    ),
    (("专利", "贯标"), "国家知识产权局"),
    (("农业", "农机"), "{province}农业农村厅"),
)
