"""Analytics keeps no tables of its own yet: it reads the domains' tables."""
