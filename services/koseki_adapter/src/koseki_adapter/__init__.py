"""戸籍附票システム連携 (koseki_adapter)."""
