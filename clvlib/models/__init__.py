"""BTYD models: purchase counts (BG/NBD, MBG/NBD, Pareto/NBD, BG/BB), spend (Gamma-Gamma),
contractual retention (sBG), and the CLV built on them."""

from clvlib.models.base import ConvergenceWarning
from clvlib.models.bgbb import BGBB
from clvlib.models.bgnbd import BGNBD
from clvlib.models.clv import clv_intervals, customer_lifetime_value
from clvlib.models.gammagamma import GammaGamma, SpendFrequencyCorrelationWarning
from clvlib.models.mbgnbd import MBGNBD
from clvlib.models.paretonbd import ParetoNBD
from clvlib.models.sbg import SBG

__all__ = [
    "BGBB",
    "BGNBD",
    "MBGNBD",
    "SBG",
    "ConvergenceWarning",
    "GammaGamma",
    "ParetoNBD",
    "SpendFrequencyCorrelationWarning",
    "clv_intervals",
    "customer_lifetime_value",
]
