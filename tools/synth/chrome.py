"""What a government web page prints around a report: toolbars, breadcrumbs, the publishing line, the
page-metadata table, and the header a crawler writes above its text copy.

The wording is copied from real pages (tests/real/*-chrome, shandong-zibo-zhongbu-2020,
shanxi-shangdang-xihuo-2021, fujian-pingtan-*-txt). The publisher named there is sometimes not the
report's agency but its government (fujian-pingtan-czj-2021-txt: 发布机构 平潭综合实验区人民政府 over the
财政金融局's report): a reader must not take it for the agency.
"""

from __future__ import annotations

import datetime as dt
import random

from tools.synth.grid import Grid

TOOLBARS = ("关怀版 无障碍 无障碍", "智能问答 新媒体矩阵", "登录 |  注册", "【字体：大 中 小】 打印",
            "字号：大 中 小 打印 分享", "字体大小：【大】 【中】 【小】")
BREADCRUMBS = ("您当前所在位置：首页 > 政府信息公开 > 年度报告", "首页 > 政务公开 > 政府信息公开年报 > {place}",
               "当前位置：首页>政府信息公开>部门信息公开目录>{place}>年度报告", "首页>政务公开>信息公开年度报告>{place}")
FOOTERS = ("扫一扫在手机打开当前页", "【打印本页】 【关闭窗口】", "主办单位：{government}办公室 网站标识码 {code}")
CRAWLER_RULE = "==================== 正文 ===================="
PARENT_PUBLISHER_SHARE = 0.3


def publisher(rng: random.Random, agency: str, government: str) -> str:
    """Who the page says published the report: the agency, or now and then its government."""
    return government if rng.random() < PARENT_PUBLISHER_SHARE else agency


def _stamp(published: dt.date, rng: random.Random) -> str:
    return f"{published:%Y-%m-%d} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"


def header_lines(rng: random.Random, title: str, agency: str, government: str, published: dt.date) -> list[str]:
    """The lines a page prints above the report: a toolbar, a breadcrumb, the publishing line."""
    place = agency if rng.random() < 0.5 else government
    source = publisher(rng, agency, government)
    lines = [rng.choice(TOOLBARS), rng.choice(BREADCRUMBS).format(place=place)]
    if rng.random() < 0.5:
        lines.append(title)
    lines.append(rng.choice((
        f"发布时间：{_stamp(published, rng)} 来源：{source}",
        f"发布机构：{source}",
        f"来源：{source}     发布时间：{published:%Y-%m-%d}    浏览次数：",
        f"发布日期：{published:%Y-%m-%d}    点击数：",
    )))
    return lines


def footer_lines(rng: random.Random, government: str) -> list[str]:
    return [rng.choice(FOOTERS).format(government=government, code=rng.randint(10**9, 10**10 - 1))]


def metadata_table(rng: random.Random, title: str, agency: str, government: str, published: dt.date) -> Grid:
    """The page's own table before the report's: 索引号 / 分类 / 发布机构 / 公开日期, then 名称."""
    values = {"索引号": f"{rng.randint(10**8, 10**9 - 1):09d}/{published.year}-{rng.randint(1, 99999):05d}",
              "分类": "政府信息公开年报", "发布机构": publisher(rng, agency, government),
              "公开日期": f"{published:%Y-%m-%d}", "名称": title}
    grid = Grid(4)
    grid.add(0, 0, "索引号")
    grid.add(0, 1, values["索引号"])
    grid.add(0, 2, "分类")
    grid.add(0, 3, values["分类"])
    grid.add(1, 0, "发布机构")
    grid.add(1, 1, values["发布机构"])
    grid.add(1, 2, "公开日期")
    grid.add(1, 3, values["公开日期"])
    grid.add(2, 0, "名称")
    grid.add(2, 1, values["名称"], colspan=3)
    return grid


def crawler_header(rng: random.Random, title: str, agency: str, government: str, published: dt.date) -> list[str]:
    """The header block of a crawler's text copy (fujian-pingtan-*-txt), then its 正文 rule."""
    doc = rng.randint(10000, 99999)
    link = f"https://www.example.gov.cn/zwgk/zfxxgk/zfxxgknb/{published:%Y%m}/t{published:%Y%m%d}_{doc}.htm"
    return [f"标题: {title}", f"发布时间: {_stamp(published, rng)}", "文号: ",
            f"发布机构: {publisher(rng, agency, government)}", "栏目: 政府信息公开年报", f"原文链接: {link}",
            f"本地目录: zwgk/zfxxgk/zfxxgknb/{published:%Y%m}/{doc}_{title}", "页面链接与图片详见 links.tsv(同目录)",
            CRAWLER_RULE]
