"""Page shapes from portals other than TRS, each failure kind with an
example of its own: gov.cn's policy table and news layouts, content after
</html>, bulleted metadata blocks, a <title> with the site's suffix, a
breadcrumb where the title should be, 发文日期 in a table, a date line with
its publishing body, and the chrome of those layouts."""
from __future__ import annotations

import pytest

from govlaw.extract import extract_html, extract_text
from govlaw.extract.titles import title_from_page_title

TITLE = "国务院关于2023年法治政府建设情况的报告"
PARAS = ["2023年，国务院各部门坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻习近平法治思想，扎实推进法治政府建设。现将有关情况报告如下。",
         "一、主要举措和成效", "（一）深化行政审批制度改革，取消和下放行政许可事项，持续优化营商环境，市场主体活力不断增强。",
         "二、存在的不足和原因", "一些地方和部门运用法治思维和法治方式推动工作的能力还有待提高，行政执法规范化水平仍需提升。"]
BODY = "\n\n".join(PARAS)
P = "".join(f"<p style='text-indent: 2em;'>{p}</p>" for p in PARAS)
URL = "https://www.gov.cn/zhengce/content/202403/content_6942161.htm"
CHROME = ("<div class='tools'>【打印正文】 分享：</div><div class='exit'>您所访问的页面将跳转到第三方网站，请注意您的账号和财产安全</div>"
          "<div class='site'>中国政府网 更新时间：2024-03-30 15:00</div>")

POLICY = f"""<html><head><meta charset="utf-8"><title>{TITLE}_中国政府网</title></head><body>
<div class="header">首页 | 简 | 繁 | EN | 登录 | 邮箱 | 无障碍</div>
<table class="policy"><tr><td><b>索 引 号：</b></td><td>000014349/2024-00031</td><td><b>主题分类：</b></td><td>政府工作</td></tr>
<tr><td><b>发文机关：</b></td><td>国务院</td><td><b>成文日期：</b></td><td>2024年03月27日</td></tr>
<tr><td><b>标　　题：</b></td><td colspan="3">{TITLE}</td></tr>
<tr><td><b>发文字号：</b></td><td>国发〔2024〕8号</td><td><b>发布日期：</b></td><td>2024年03月30日</td></tr></table>
<table><tr><td class="b12c" id="UCAP-CONTENT">{P}</td></tr></table>{CHROME}
<div class="editor">【我要纠错】 责任编辑：王洋</div></body></html>"""
NEWS = f"""<html><head><meta charset="utf-8"><title>{TITLE}_政策_中国政府网</title></head><body>
<div class="BreadcrumbNav">首页 &gt; 政策 &gt; 最新</div><div class="article"><h1 id="ti">{TITLE}</h1>
<div class="pages-date">2024-03-30 15:00 <span class="font">来源： 新华社</span></div>
<div class="pages_content" id="UCAP-CONTENT">{P}</div>{CHROME}</div></body></html>"""
AFTER_HTML = f"""<html><head><meta charset="utf-8"><title>{TITLE}_中国政府网</title></head><body>
<div class="pages_content"><p>首页 | 登录 | 无障碍</p></div></body></html><div id="UCAP-CONTENT">{P}</div>"""


@pytest.mark.parametrize("page", [POLICY, NEWS, AFTER_HTML], ids=["policy-table", "news", "content-after-html"])
def test_gov_cn_layouts(page):
    ex = extract_html(page.encode("utf-8"), URL)
    assert (ex.is_report, ex.title, ex.body) == (True, TITLE, BODY)


def test_policy_table_metadata():
    ex = extract_html(POLICY.encode("utf-8"), URL)
    assert (ex.publish_date, ex.publisher, ex.doc_number, ex.index_number) == (
        "2024-03-30", "国务院", "国发〔2024〕8号", "000014349/2024-00031")


def test_date_line_followed_by_its_source():
    ex = extract_html(NEWS.encode("utf-8"), URL)
    assert (ex.publish_date, ex.publisher) == ("2024-03-30", "国务院")  # 新华社 is a medium, not a body


def test_empty_body_is_never_a_report():
    page = f"<html><head><title>{TITLE}</title></head><body><h1>{TITLE}</h1><div class='content'></div></body></html>"
    ex = extract_html(page.encode("utf-8"), URL)
    assert (ex.is_report, ex.body) == (False, "")


@pytest.mark.parametrize("page_title, site, title", [
    (f"{TITLE}_中国政府网", None, TITLE),
    (f"{TITLE} - 宣岚市人民政府门户网站", None, TITLE),
    (f"首页 | 政务公开 | {TITLE}", None, TITLE),
    (f"宣岚市人民政府 - {TITLE}", "宣岚市人民政府", TITLE),
    ("关于《法治政府建设实施纲要（2021-2025年）》落实情况的报告_宣岚市人民政府", None,
     "关于《法治政府建设实施纲要（2021-2025年）》落实情况的报告"),
])
def test_title_without_the_site_suffix(page_title, site, title):
    assert title_from_page_title(page_title, site) == title


TEXT_DUMPS = {
    # a breadcrumb where the title should be; the title on the next line
    "breadcrumb": ("当前位置 : 首页\n> 陇西动态 > 政务公告\n2025年陇西县法治政府建设情况\n日期 : 2026-01-15 文章来源 : 司法局\n" + BODY,
                   "2025年陇西县法治政府建设情况", "2026-01-15", "司法局"),
    # half of a title on each of two lines
    "split-title": ("中共汉中市委汉中市人民政府关于2023年度\n法治政府建设工作情况的报告\n" + BODY,
                    "中共汉中市委汉中市人民政府关于2023年度法治政府建设工作情况的报告", None, None),
    # 发文日期 in a run-together metadata table, and a date line naming its publisher
    "metadata-table": ("湖北省司法厅2023年法治政府建设年度报告\n2024-03-27 14:21 湖北省司法厅\n"
                       "索 引 号 011043217/2024-15822 分 类 政务公开\n发布机构 湖北省司法厅 发文日期 2024-03-27\n" + BODY,
                       "湖北省司法厅2023年法治政府建设年度报告", "2024-03-27", "湖北省司法厅"),
    "date-line-only": ("湖北省司法厅2023年法治政府建设年度报告\n2024-03-27 14:21 湖北省司法厅\n" + BODY,
                       "湖北省司法厅2023年法治政府建设年度报告", "2024-03-27", "湖北省司法厅"),
    "written-date-only": ("宣岚市2023年法治政府建设年度报告\n发文日期 | 2023-03-30\n" + BODY,
                          "宣岚市2023年法治政府建设年度报告", "2023-03-30", None),
    # bulleted 索引号/发文字号 blocks and 【打印正文】
    "bulleted-block": ("• 索 引 号:QZ02101-3000-2026-00011\n• 备注/文号:泉丰政综〔2026〕2号\n• 发布机构:区人民政府办公室\n"
                       "• 公文生成日期:2026-01-08\n泉州市丰泽区人民政府关于2025年度法治政府建设工作情况的报告\n时间:2026-01-09 09:36\n"
                       "【打印正文】\n" + BODY,
                       "泉州市丰泽区人民政府关于2025年度法治政府建设工作情况的报告", "2026-01-09", "区人民政府办公室"),
}


@pytest.mark.parametrize("name", sorted(TEXT_DUMPS))
def test_titles_dates_and_publishers_of_text_dumps(name):
    text, title, date, publisher = TEXT_DUMPS[name]
    ex = extract_text(text)
    assert (ex.is_report, ex.title, ex.publish_date, ex.body) == (True, title, date, BODY)
    if publisher:
        assert ex.publisher == publisher


@pytest.mark.parametrize("opening, reason", [
    ("……为深入推进依法行政，现将2023年法治政府建设情况报告如下：", "opening:report_formula"),
    ("2023年，全省法治政府建设工作坚持以习近平新时代中国特色社会主义思想为指导，取得新成效。", "opening:year_review"),
])
def test_a_page_that_starts_at_the_body_is_judged_by_its_opening(opening, reason):
    ex = extract_text(opening + "\n" + "\n".join(PARAS[1:]))
    assert (ex.is_report, ex.reason) == (True, reason)


@pytest.mark.parametrize("opening, reason", [
    ("根据《中华人民共和国政府信息公开条例》规定，现公布本局2023年政府信息公开工作年度报告。", "lookalike:gov_info_report"),
    ("近日，市司法局召开全市法治政府建设工作推进会，现将有关情况通报如下。", "lookalike:news"),
])
def test_lookalikes_without_titles_stay_rejected(opening, reason):
    ex = extract_text(opening + "\n" + "\n".join(PARAS[1:]))
    assert (ex.is_report, ex.reason) == (False, reason)
