"""戸籍附票システム simulator (INTERFACE.md)."""
