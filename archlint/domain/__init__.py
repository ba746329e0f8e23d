"""Pure data: facts, findings, rules, layers and the module graph. Imports nothing else of archlint."""
