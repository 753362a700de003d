"""The registry of incentive mechanisms: one class each, keyed by their [rules.KEY] table."""

from sim.rules.base import Facts, Rule
from sim.rules.cashout import CashOut
from sim.rules.commission import GeometricCommission, MultiLevelCommission
from sim.rules.entry import EntryPackage
from sim.rules.liandong import LiandongTwoPlusOne
from sim.rules.rank import RankPromotion
from sim.rules.referral import DirectReferral

REGISTRY: dict[str, type[Rule]] = {cls.key: cls for cls in (
    EntryPackage, DirectReferral, MultiLevelCommission, GeometricCommission, RankPromotion,
    LiandongTwoPlusOne, CashOut)}

__all__ = ["REGISTRY", "CashOut", "DirectReferral", "EntryPackage", "Facts",
           "GeometricCommission", "LiandongTwoPlusOne", "MultiLevelCommission", "RankPromotion",
           "Rule"]
