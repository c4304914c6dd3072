"""Feature diagnostics (LD8xx): leaking, irrelevant, redundant, non-stationary and
unavailable inputs.
"""
