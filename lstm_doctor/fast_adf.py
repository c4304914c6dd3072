"""Former location of :mod:`lstm_doctor.stats.fast_adf` (kept importable).

``import lstm_doctor.fast_adf`` gives the very same module object, so attributes read or
patched through either name are shared.
"""

import sys

from lstm_doctor.stats import fast_adf as _fast_adf

sys.modules[__name__] = _fast_adf
