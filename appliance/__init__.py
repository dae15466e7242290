"""Banditore: a WhatsApp appliance for Italian comuni."""

__version__ = "0.1.0"
