"""中間サーバー simulator (番号法): 副本 per 符号, 情報照会 on a legal basis, 情報提供等記録."""
