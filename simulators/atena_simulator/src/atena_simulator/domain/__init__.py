"""The simulated 団体内統合宛名システム's rules: messages, numbers, persons, state (no I/O)."""
