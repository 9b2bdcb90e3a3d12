"""住基ネット 市町村CS連携 (cs_adapter)."""
