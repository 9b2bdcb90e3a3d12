"""出入国在留管理庁 (法務省) simulator: 市町村通知・市町村伝達 in, processing results and 長官通知 out."""
