"""Everything a person looks at or prints: maps, route sheets, charts, labels."""
