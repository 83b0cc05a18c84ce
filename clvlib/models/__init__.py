"""BTYD models. Each: ``.fit(rfm)`` → self; ``params_``, ``log_likelihood_`` (total),
``standard_errors_``, ``summary()``, AIC/BIC."""

from clvlib.models.base import ConvergenceWarning
from clvlib.models.bgnbd import BGNBD

__all__ = ["BGNBD", "ConvergenceWarning"]
