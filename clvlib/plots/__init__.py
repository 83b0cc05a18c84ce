"""Pictures of the tidy tables: every ``plot_*`` takes a frame from a ``*_table`` function and
an optional ``ax``, draws, and returns the ``ax`` so figures can be composed.

Titles and axis labels are passed in by the caller (translated by ``clvlib.i18n``); the English
defaults only make a quick look readable. Axis labels carry units. One module per audit step.
"""

from clvlib.plots.base import PALETTE as PALETTE
from clvlib.plots.base import style as style
from clvlib.plots.calculation import *  # noqa: F403
from clvlib.plots.channels import *  # noqa: F403
from clvlib.plots.funnel import *  # noqa: F403
from clvlib.plots.retention import *  # noqa: F403
from clvlib.plots.saturation import *  # noqa: F403
from clvlib.plots.seasonality import *  # noqa: F403
