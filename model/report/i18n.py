"""Translation tables (English → 中文) shared by the Excel workbook, the charts and the Chinese report.

One table per kind of label; :func:`tr` looks a string up in the report's phrase
table and falls back to the English text, so an untranslated phrase shows in
English rather than disappearing. Units come from :func:`model.results.iamc.zh_unit`.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from ..paths import CALIBRATION

VARIABLE_ZH = {
    "GDP|Nominal": "地区生产总值（现价）",
    "GDP|Real": "地区生产总值（2019年不变价）",
    "GDP|Real growth": "实际GDP增速",
    "GDP|Deflator": "GDP平减指数",
    "GDP per capita": "人均地区生产总值",
    "Population|Resident": "常住人口",
    "Population|Urban": "城镇常住人口",
    "Urbanisation rate": "常住人口城镇化率",
    "Energy intensity": "单位GDP能耗",
    "High-tech VA": "高新技术产业增加值",
    "High-tech VA|Share of GDP": "高新技术产业增加值占GDP比重",
}
REGION_ZH = {"Changsha": "长沙", "Zhuzhou": "株洲", "Xiangtan": "湘潭", "CZT": "长株潭", "Hunan": "湖南",
             "430100": "长沙", "430200": "株洲", "430300": "湘潭", "430000": "湖南"}
REGION_EN = {"430100": "Changsha", "430200": "Zhuzhou", "430300": "Xiangtan", "430000": "Hunan", "CZT": "CZT"}
STATUS_ZH = {"on track": "有望实现", "at risk": "存在风险", "off track": "难以实现", "not modelled": "未建模",
             "met": "已满足", "binding": "约束趋紧", "violated": "未满足", "missed": "未满足"}
BASIS_ZH = {"observed": "观测值", "derived": "推算值", "assumption": "假设", "forecast": "预测",
            "forecast (assumption)": "预测（基于假设）"}


#: The currency word as a unit (``100m CNY``, ``CNY``, ``100m CNY (2019 prices)``), not an IAMC unit
#: (``billion CNY/yr``, ``CNY_2019``) nor part of a longer word.
_CNY_WORD = re.compile(r"(?<![\w/])CNY(?![\w/])")


def en_units(text: str) -> str:
    """One spelling of the currency in English report text: ``yuan``, as in the vendored data.

    The data files and ``calibration/targets.toml`` write ``100m yuan``; the forecast
    tables (``forecasts.csv``, IAMC) keep their ``100m CNY`` unit strings, which the
    English reports show as ``100m yuan`` so one report never mixes the two.

    Parameters
    ----------
    text : str
        A cell, caption or sentence of an English report.

    Returns
    -------
    str
        ``text`` with the unit word ``CNY`` written ``yuan`` (``100m CNY (2019 prices)``
        → ``100m yuan (2019 prices)``); IAMC units such as ``billion CNY/yr`` and
        ``CNY_2019`` are left alone.
    """
    return _CNY_WORD.sub("yuan", text) if "CNY" in text else text


def bilingual(zh: str, en: str) -> str:
    """A bilingual header: ``中文 / English``."""
    return f"{zh} / {en}" if zh and zh != en else en


@lru_cache(maxsize=1)
def cluster_names() -> dict[str, tuple[str, str]]:
    """Industry cluster id → (English name, 中文名) from ``calibration/io/cluster_map.csv``."""
    m = pd.read_csv(CALIBRATION / "io" / "cluster_map.csv", dtype=str)
    m = m.drop_duplicates("cluster")
    return {r.cluster: (r.cluster_en, r.cluster_zh) for r in m.itertuples()}


def cluster_label(cluster: str, lang: str = "both") -> str:
    """Display name of a cluster id (``both``: ``中文 / English``); the id if unknown."""
    en, zh = cluster_names().get(cluster, (cluster, cluster))
    return {"en": en, "zh": zh}.get(lang, bilingual(zh, en))


def variable_label(variable: str, lang: str = "both") -> str:
    """Display name of a forecast variable, e.g. ``常住人口 / Population|Resident``."""
    zh = VARIABLE_ZH.get(variable, variable)
    return {"en": variable, "zh": zh}.get(lang, bilingual(zh, variable))
