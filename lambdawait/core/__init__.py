"""core: the pure domain (models, parsers, specs, plans, pre-flight, packages, strategies, records,
reasons, errors, clock, signals). It imports nothing of lambdawait's outside core."""
