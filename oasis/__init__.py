"""Oasis: the open operating platform of a specialised-SME (专精特新) science park."""

__version__ = "0.1.0"
