-- 出生 and 死亡 are recorded 職権 on a 戸籍届出 (spec 4.2.1.2, 4.2.2.1, 4.2.0.4): each history row of
-- such a change keeps the 届出 it rests on (届出の種類, 届出日, 受理日, 受理地, 送付元, 通知日).
-- depends: 0005_commands

ALTER TABLE registry.resident_history ADD COLUMN koseki_basis jsonb;
