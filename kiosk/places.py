"""English names of Beijing's districts, for English screens (the configuration names districts in Chinese).

The sixteen districts with their division codes 110101–110119 (List of administrative divisions of Beijing),
and the Economic-Technological Development Area (经开区), which runs booths of its own.
"""

from __future__ import annotations

DISTRICTS_EN = {
    "东城区": "Dongcheng", "西城区": "Xicheng", "朝阳区": "Chaoyang", "海淀区": "Haidian", "丰台区": "Fengtai",
    "石景山区": "Shijingshan", "门头沟区": "Mentougou", "房山区": "Fangshan", "通州区": "Tongzhou", "顺义区": "Shunyi",
    "昌平区": "Changping", "大兴区": "Daxing", "怀柔区": "Huairou", "平谷区": "Pinggu", "密云区": "Miyun",
    "延庆区": "Yanqing", "经开区": "Economic-Technological Development Area",
}


def district_en(district: str) -> str:
    """The district's English name, or "" when there is none (the caller then leaves the place out)."""
    return DISTRICTS_EN.get(district.strip(), "")
