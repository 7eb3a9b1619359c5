"""output: result documents (matching schema/), text and Rich rendering, GitHub reporting. Imports
core only; never aws (it renders results, it does not fetch them)."""
