"""What the stand-ins for outside systems (市町村CS, 戸籍附票システム, …) share.

Not part of any service: the simulators run in `make up` and the end-to-end tests, the services
never import this. Pieces: coded problem answers (`errors`, `problems`, `validation`), the wire's
item formats (`formats`), fault injection (`faults`, `middleware`), idempotent replies
(`idempotency`), the cursor feed of notices (`feed`) and the SQLite journal that lets a restarted
simulator hold what it held (`journal`).
"""
