"""BTYD models. Each: ``.fit(rfm)`` → self; ``params_``, ``log_likelihood_`` (total),
``standard_errors_``, ``summary()``, AIC/BIC; and the CLV built on them."""

from clvlib.models.base import ConvergenceWarning
from clvlib.models.bgnbd import BGNBD
from clvlib.models.clv import clv_intervals, customer_lifetime_value

__all__ = ["BGNBD", "ConvergenceWarning", "clv_intervals", "customer_lifetime_value"]
