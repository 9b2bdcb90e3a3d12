"""Use cases of the simulated 団体内統合宛名システム and the running simulator."""
