"""Market profiles: the market a business model runs in, named and kept apart from the model.

A comparison is like-for-like only when every model meets the same persons. The market is the
population, its network, advertising and word of mouth, purchase propensity, baseline churn and
trust: the keys of :data:`PROFILE_KEYS`. A business model is everything else: its rules, its
commercial terms (``[retail]``), its organisers and how hard its participants share, and how
they respond to what they earn. A profile is a file under ``scenarios/markets/`` that sets the
market keys, cites its sources and says over what ranges its figures are uncertain
(``[uncertain]``, read by ``sim choose``'s robustness check)::

    profile = load_profile("wechat_community")
    same = [in_market(load_scenario(k), profile) for k in ("retail_baseline", "liandong_2plus1")]
    differences([load_scenario("retail_baseline"), load_scenario("membership_distribution")])

A scenario names its default profile in ``[scenario] market_profile``; its ``[market]`` and
``[churn]`` tables then start from the profile, and any market key the file sets itself
overrides it (the scenario's *declared* market).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import ScenarioError
from sim.schema import ParamSpec, build, check_sections, param, read_toml, specs
from sim.sections import _SOURCE_LINE, Churn, Market

if TYPE_CHECKING:
    from sim.scenario import Scenario

MARKETS_DIR = Path(__file__).resolve().parent.parent / "scenarios" / "markets"
# The keys a profile owns, by section. The horizon (days), the organisers, sharing intensity
# and participants' churn belong to the business model: its rules cause them.
PROFILE_KEYS: dict[str, tuple[str, ...]] = {
    "market": ("size", "network", "community_size", "contacts_within", "contacts_between",
               "external_reach", "word_of_mouth", "propensity", "propensity_spread", "basket",
               "trust", "trust_spread"),
    "churn": ("customer", "first_day"),
}
SECTION_CLASSES = {"market": Market, "churn": Churn}
DOTTED = tuple(f"{section}.{key}" for section, keys in PROFILE_KEYS.items() for key in keys)


@dataclass(frozen=True)
class ProfileMeta:
    """[profile]: what the market is and where its figures come from."""
    id: str = param("", en="Identifier, English snake_case (the file name)", zh="标识符")
    name_en: str = param("", en="English name", zh="英文名称")
    name_zh: str = param("", en="Chinese name", zh="中文名称")
    description_en: str = param("", en="Who the market is, in a few sentences", zh="市场说明(英文)")
    description_zh: str = param("", en="Who the market is, in Chinese", zh="市场说明")
    sources: str = param("", en="One source a line: title | https address | read YYYY-MM-DD",
                         zh="来源,每行一条:标题 | 网址 | read 阅读日期")

    def problems(self) -> list[tuple[str, str, str]]:
        empty = [k for k in ("id", "name_en", "name_zh", "description_en", "description_zh", "sources")
                 if not getattr(self, k).strip()]
        if empty:
            return [(empty[0], "must not be empty", "不能为空")]
        bad = [line for line in self.sources.splitlines()
               if line.strip() and not _SOURCE_LINE.match(line.strip())]
        if bad:
            return [("sources", f"each line must read 'title | https://address | read YYYY-MM-DD', got {bad[0]!r}",
                     f"每行必须是“标题 | https://网址 | read YYYY-MM-DD”,实际为 {bad[0]!r}")]
        return []

    def source_lines(self) -> list[dict[str, str]]:
        return [m.groupdict() for line in self.sources.splitlines() if (m := _SOURCE_LINE.match(line.strip()))]


@dataclass(frozen=True)
class Profile:
    """A named market: every profile key's value, and the ranges over which it is uncertain."""
    meta: ProfileMeta
    values: dict[str, Any]                      # dotted key (market.word_of_mouth) -> value
    uncertain: dict[str, tuple[float, float]]   # dotted key -> (low, high)
    source: str = "<dict>"

    @property
    def id(self) -> str:
        return self.meta.id

    def name(self, lang: str = "en") -> str:
        return self.meta.name_zh if lang == "zh" else self.meta.name_en

    def description(self, lang: str = "en") -> str:
        return (self.meta.description_zh if lang == "zh" else self.meta.description_en).strip()

    def tables(self) -> dict[str, dict[str, Any]]:
        """The profile as ``[market]`` and ``[churn]`` tables."""
        out: dict[str, dict[str, Any]] = {section: {} for section in PROFILE_KEYS}
        for dotted, v in self.values.items():
            section, key = dotted.split(".")
            out[section][key] = v
        return out


def spec(dotted: str) -> ParamSpec:
    """The declared parameter behind a profile key (its unit, range and names)."""
    section, key = dotted.split(".")
    return next(s for s in specs(SECTION_CLASSES[section]) if s.key == key)


def profile_paths() -> list[Path]:
    return sorted(MARKETS_DIR.glob("*.toml"))


def profile_ids() -> list[str]:
    return [p.stem for p in profile_paths()]


def load_profile(src: str | Path | dict | Profile) -> Profile:
    """A profile from its id (``scenarios/markets/ID.toml``), a TOML path or a parsed dict.

    Raises :class:`ScenarioError` naming the file, the key and what is allowed."""
    if isinstance(src, Profile):
        return src
    if isinstance(src, dict):
        return _from_table(src, "<dict>")
    path = Path(src)
    if not path.suffix and not path.exists():
        path = MARKETS_DIR / f"{src}.toml"
        if not path.exists():
            listed = ", ".join(profile_ids())
            raise ScenarioError(str(src), "", f"no such market profile; profiles: {listed}",
                                zh=f"没有该市场画像;可选:{listed}")
    table = read_toml(path, what=("market profile", "市场画像"))
    return _from_table(table, str(path))


def _from_table(table: dict[str, Any], source: str) -> Profile:
    check_sections(table, ("profile", *PROFILE_KEYS, "uncertain"), source=source)
    if "profile" not in table:
        raise ScenarioError(source, "profile", "missing section (id, names, description and sources are required)",
                            zh="缺少该配置段(id、名称、说明和来源必填)")
    meta = build(ProfileMeta, table["profile"], source=source, prefix="profile")
    values: dict[str, Any] = {}
    for section, keys in PROFILE_KEYS.items():
        body = table.get(section, {})
        if not isinstance(body, dict):
            raise ScenarioError(source, section, "must be a table", zh="必须是 TOML 表")
        for key in body:
            if key not in keys:
                listed = ", ".join(keys)
                raise ScenarioError(source, f"{section}.{key}",
                                    f"belongs to the business model, not the market; a profile sets only: {listed}",
                                    zh=f"属于商业模式而非市场;市场画像只能设置:{listed}")
        # Validated as the section would be; keys the file leaves out take the declared default.
        built = build(SECTION_CLASSES[section], body, source=source, prefix=section)
        values |= {f"{section}.{key}": getattr(built, key) for key in keys}
    uncertain = _uncertain(table.get("uncertain", {}), values, source)
    return Profile(meta, values, uncertain, source)


def check_range(dotted: str, low: float, high: float, values: dict[str, Any], *,
                source: str, key: str) -> tuple[float, float]:
    """A numeric profile key's range, both ends accepted where the key is set (``key`` names it
    in a message)."""
    if dotted not in DOTTED:
        raise ScenarioError(source, key, f"not a market key; allowed: {', '.join(DOTTED)}",
                            zh=f"不是市场参数;允许:{', '.join(DOTTED)}")
    s = spec(dotted)
    if s.type not in ("int", "float"):
        raise ScenarioError(source, key, f"is {s.allowed()}; only numbers can be uncertain",
                            zh=f"取值为{s.allowed('zh')};只有数值参数可以不确定")
    if not low < high:
        raise ScenarioError(source, key, f"needs LOW < HIGH, got {low:g} and {high:g}",
                            zh=f"需要 LOW < HIGH,实际为 {low:g} 和 {high:g}")
    section, name = dotted.split(".")
    for end in (low, high):
        table = {k.split(".")[1]: v for k, v in values.items() if k.startswith(section + ".")}
        table[name] = int(round(end)) if s.type == "int" else float(end)
        try:
            build(SECTION_CLASSES[section], table, source=source, prefix=section)
        except ScenarioError as err:
            raise ScenarioError(source, key, f"{end:g}: {err.message}", zh=f"{end:g}:{err.text('zh')}") from None
    return float(low), float(high)


def _uncertain(body: Any, values: dict[str, Any], source: str) -> dict[str, tuple[float, float]]:
    if not isinstance(body, dict):
        raise ScenarioError(source, "uncertain", "must be a table of \"section.key\" = [low, high]",
                            zh="必须是 \"section.key\" = [low, high] 形式的表")
    out = {}
    for dotted, pair in body.items():
        key = f"uncertain.{dotted}"
        if (not isinstance(pair, list) or len(pair) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pair)):
            raise ScenarioError(source, key, f"must be [low, high], got {pair!r}",
                                zh=f"必须是 [low, high],实际为 {pair!r}")
        out[dotted] = check_range(dotted, pair[0], pair[1], values, source=source, key=key)
    return out


def market_tables(profile_id: str, source: str) -> dict[str, dict[str, Any]]:
    """The ``[market]`` and ``[churn]`` tables a scenario naming ``profile_id`` starts from
    (none for an empty id): what ``load_scenario`` merges the file's own tables onto."""
    if not profile_id:
        return {}
    if profile_id not in profile_ids():
        listed = ", ".join(profile_ids())
        raise ScenarioError(source, "scenario.market_profile",
                            f"unknown market profile {profile_id!r}; profiles: {listed}",
                            zh=f"未知的市场画像 {profile_id!r};可选:{listed}")
    return load_profile(profile_id).tables()


def declared(scenario: Scenario) -> dict[str, Any]:
    """The market a scenario declares: its profile with whatever its file overrides."""
    return {dotted: getattr(getattr(scenario, section), key)
            for dotted in DOTTED for section, key in [dotted.split(".")]}


def own_market(scenario: Scenario) -> Profile:
    """A scenario's declared market as a profile: its named one when the file overrides
    nothing, else the file's own (named after the scenario)."""
    if scenario.meta.market_profile:
        named = load_profile(scenario.meta.market_profile)
        if named.values == declared(scenario):
            return named
    m = scenario.meta
    meta = ProfileMeta(id=f"{m.id}:own", name_en=f"{m.name_en}'s own market", name_zh=f"{m.name_zh}自带的市场",
                       description_en="The market the scenario file declares.", description_zh="场景文件自带的市场。",
                       sources="")
    return Profile(meta, declared(scenario), {}, scenario.source)


def in_market(scenario: Scenario, profile: Profile) -> Scenario:
    """``scenario`` with every market key set from ``profile``: the business model unchanged,
    the persons, network, advertising, word of mouth, propensity, baseline churn and trust
    the profile's."""
    tables = profile.tables()
    market = dataclasses.replace(scenario.market, **tables["market"])
    churn = dataclasses.replace(scenario.churn, **tables["churn"])
    market = build(Market, dataclasses.asdict(market), source=scenario.source, prefix="market")
    meta = dataclasses.replace(scenario.meta, market_profile=profile.id if profile.id in profile_ids() else "")
    return dataclasses.replace(scenario, meta=meta, market=market, churn=churn)


def differences(scenarios: list[Scenario]) -> dict[str, list[Any]]:
    """The market keys whose values differ between the scenarios' declared markets:
    dotted key -> one value per scenario, in order."""
    markets = [declared(s) for s in scenarios]
    return {k: [m[k] for m in markets] for k in DOTTED if len({repr(m[k]) for m in markets}) > 1}
