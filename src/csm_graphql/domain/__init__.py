"""Pure domain logic: vocabularies, derived values and rules, free of I/O."""
