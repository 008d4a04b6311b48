"""Optimizers (a later issue fills this in)."""
