"""Renderers: every output format is made from ``Report.to_dict()``."""
