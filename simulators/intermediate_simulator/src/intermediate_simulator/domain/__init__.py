"""The simulated 中間サーバー's rules: messages, data items, legal bases, 副本, records (no I/O)."""
