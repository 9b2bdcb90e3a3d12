"""団体内統合宛名システム simulator (番号法): 統合宛名番号 per person, 符号 through 住基ネット."""
