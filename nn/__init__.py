"""Neural-network layers and losses (a later issue fills this in)."""
