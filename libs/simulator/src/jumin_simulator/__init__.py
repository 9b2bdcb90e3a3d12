"""What the stand-ins for outside systems share (市町村CS, 戸籍附票システム, 出入国在留管理庁,
団体内統合宛名システム, 中間サーバー).

Not part of any service: the simulators run in `make up` and the end-to-end tests, the services
never import this. Pieces: coded problem answers (`errors`, `problems`, `validation`), the wire's
item formats (`formats`), fault injection (`faults`, `middleware`), idempotent replies
(`idempotency`), the cursor feed of notices (`feed`), the state every simulator keeps — received
messages, counts per event, the feed — and the SQLite journal that lets a restarted simulator
hold what it held (`state`, `journal`), the `/sim/*` routes they all have (`control`), how they
describe a received message (`received`), the app's assembly (`app`) and the command line
(`cli`).
"""
