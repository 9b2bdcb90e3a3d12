"""Use cases of the simulated 中間サーバー and the running simulator."""
