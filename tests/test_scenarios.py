"""Every business model in the source documents is a shipped scenario (STYLE lesson 3).

The catalogue below maps each model the seed documents name to its scenario file, so a missing
file fails here. Every shipped file is also checked for what a strategist relies on: complete
provenance in both languages, a stated source or assumption for each parameter it sets, and a
run that is reproducible from its seed. (Books, facts and ``sim list`` are checked for every
file in test_books.py, test_rules.py and test_cli.py.)
"""

from __future__ import annotations

import re
import tomllib

import pandas as pd
import pytest

import sim
from conftest import CASES, MODELS, ROOT, SCENARIOS
from sim.sections import FAMILIES

# Catalogue row (DESIGN.md "The business-model catalogue") -> scenario file stem.
CATALOGUE = {
    "000 #1 消费返利 consumption rebate": "consumption_rebate",
    "000 #1 永倍达-style refund from month 6": "consumption_rebate_refund",
    "000 #1 RenRenGongYi pool 24/12/6%": "consumption_rebate_pool",
    "000 #2 会员制 membership": "membership_distribution",
    "000 #3 社区团购 community group buying": "community_group_buying",
    "000 #4 内容电商 content commerce": "content_commerce",
    "000 #5 积分兑换与消费增值 points + appreciation": "points_appreciation",
    "000 #6 链动2+1": "liandong_2plus1",
    "000 #7 O2O": "o2o",
    "000 #8 数据驱动零售 data-driven retail": "data_driven_retail",
    "000 #9 直播电商 live streaming": "live_streaming",
    "000 #10 共享购 shared purchase": "shared_purchase",
    "000 #11 预售+团购 presale + group buy": "presale_group_buy",
    "000 #12 社交裂变分销 fission distribution": "fission_distribution",
    "000 #13 社交游戏化 gamification": "gamification",
    "000 #14 跨界融合 cross-brand": "cross_brand",
    "000 #15 个性化定制 customization": "customization",
    "000 #16 直播带货+社群运营 live + community operations": "live_community_ops",
    "000 #17 社交拼团+供应链金融 group buying + supply-chain finance": "group_buy_supply_chain_finance",
    "000 #18 智能推荐 recommendation": "recommendation",
    "000 #19 社交+直播带货+内容营销 social + live + content": "social_live_content",
    "000 #20 新零售体验店 experience stores": "experience_store",
    "000 #21 社交电商+积分商城 points mall": "points_mall",
    "000 #22 社交电商+共享经济 sharing economy": "sharing_economy",
    "001 私域社群+优惠券 private domain with coupons": "private_domain_coupons",
    "001 品牌自播 brand self-streaming": "brand_self_streaming",
    "001 KOL 直播 KOL streaming": "kol_streaming",
    "001 订阅电商 subscription commerce": "subscription_commerce",
    "001 O2O": "o2o",
    "002 全渠道 omnichannel": "omnichannel",
    "002 社交分享奖励 social share rewards": "social_share_points",
    "002 社区团购 community group buying": "community_group_buying",
    "002 付费会员 paid membership": "paid_membership",
    "002 积分会员 points membership": "points_membership",
    "002 C2B 定制 C2B customization": "c2b_customization",
    "002 预售与众筹 presale and crowdfunding": "presale_crowdfunding",
    "003 拼多多拼团 Pinduoduo group buying": "pinduoduo_group_buy",
    "003 砍价 bargaining": "bargain_kanjia",
    "003 小红书内容+KOL content + KOL": "content_kol_xiaohongshu",
    "003 社区团购创业 community group-buy start-up": "community_group_buy_startup",
    "004 社群驱动 community-driven social commerce": "community_driven_social",
    "004 个性化推荐 personalised recommendation": "recommendation",
    "the yardstick: plain social retail": "retail_baseline",
}
# Composite models are compositions of the components, not copies (issue: composite models).
COMPOSITES = {
    "live_community_ops": {"live_sessions", "coupons", "group_buy"},
    "social_live_content": {"creators", "live_sessions"},
}
SHIPPED = {p.stem: p for p in MODELS}  # the business models; decided cases: test_cases.py
BASELINE = tomllib.loads((ROOT / "scenarios" / "retail_baseline.toml").read_text(encoding="utf-8"))
SEED_FILE = re.compile(r"\b00[0-4]_[0-9a-f]{16}\.txt\b")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("row", CATALOGUE)
def test_every_catalogue_row_has_its_scenario(row):
    assert CATALOGUE[row] in SHIPPED, f"{row}: no scenarios/{CATALOGUE[row]}.toml"


def test_every_shipped_scenario_is_in_the_catalogue():
    assert set(SHIPPED) <= set(CATALOGUE.values())


@pytest.mark.parametrize("stem, parts", COMPOSITES.items())
def test_composites_are_made_of_the_components(stem, parts):
    assert parts <= {r.key for r in sim.load_scenario(SHIPPED[stem]).rules}


def _unexplained(path) -> list[str]:
    """Keys the file sets without a comment ([case] is the decision itself, quoted): every rule parameter, and every market, retail
    and churn value that differs from the baseline (whose own values must all be explained)."""
    missing, section = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text.startswith("["):
            section = text.strip("[]")
            continue
        key = re.match(r"([a-z_]+)\s*=\s*([^#]*)", text)
        if not key or section in (None, "scenario", "case") or "#" in text:
            continue
        name = key.group(1)
        same = (section in BASELINE and path.stem != "retail_baseline"
                and tomllib.loads(f"v = {key.group(2)}")["v"] == BASELINE[section].get(name))
        if not same:
            missing.append(f"{section}.{name}")
    return missing


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_provenance_is_complete_in_both_languages(path):
    s = sim.load_scenario(path)
    assert s.id == path.stem
    assert s.meta.family in FAMILIES
    assert CJK.search(s.meta.name_zh) and s.meta.name_en and not CJK.search(s.meta.name_en)
    if path in CASES:  # a decided case names its decision instead of a seed document
        assert s.case is not None and s.meta.family == "cases"
        assert s.case.number.split(";")[0].split(" (")[0] in s.meta.source, "source must name the decision"
    else:
        assert SEED_FILE.search(s.meta.source), "source must name the seed document"
    assert len(s.meta.mechanism_en.split()) >= 20 and len(s.meta.mechanism_zh) >= 40
    assert _unexplained(path) == [], "each parameter needs its source or a stated assumption"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_one_seed_reproduces_the_run(path):
    a, b = (sim.run(path, seed=5, market_size=2000, days=60) for _ in range(2))
    pd.testing.assert_frame_equal(a.daily, b.daily)
    pd.testing.assert_frame_equal(a.people, b.people)
    pd.testing.assert_frame_equal(a.flows, b.flows)
    assert a.metrics == b.metrics
    assert a.metrics["gmv"] > 0, "a business model that sells nothing in 60 days is mis-set"


def test_readme_lists_every_scenario_and_rule():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    from sim.rules import REGISTRY
    assert [p.stem for p in SCENARIOS if f"| `{p.stem}` |" not in readme] == []
    assert [k for k in REGISTRY if f"| `{k}` |" not in readme] == []
